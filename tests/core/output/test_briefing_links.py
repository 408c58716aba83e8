"""The 简报's appendix links each project to its page (项目档案) when the office has set the
app's address (`[app] base_url`), and links nothing when it has not."""

import datetime as dt
import io

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from core.base.periods import Convention
from core.figures import briefing
from core.figures.scope import Scope
from core.output import document

DAY = dt.date(2026, 3, 5)
APPENDIX = "附表 落后序时进度最多的项目"


def _settings(tmp_path, monkeypatch, base_url: str) -> None:
    own = tmp_path / "settings.toml"
    own.write_text(f'[app]\nbase_url = "{base_url}"\n', encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SETTINGS", str(own))


def _appendix(demo):
    scope = Scope(demo.latest_period)
    text = briefing.write(demo, scope).text()
    data = document.docx_bytes(demo, scope, Convention.MONTHS, text, day=DAY)
    doc = Document(io.BytesIO(data))
    return doc, doc.tables[-1]


def _links(doc, table) -> list[tuple[str, str]]:
    """(name, address) of each data row's 项目名称 cell; address "" when it is plain text."""
    out = []
    for row in table.rows[1:]:
        cell = row.cells[1]
        found = cell._tc.findall(".//" + qn("w:hyperlink"))
        url = doc.part.rels[found[0].get(qn("r:id"))].target_ref if found else ""
        out.append((cell.text, url))
    return out


def test_each_project_of_the_appendix_links_to_its_page(demo, tmp_path, monkeypatch):
    _settings(tmp_path, monkeypatch, "https://zhongda.example.gov.cn/")
    doc, table = _appendix(demo)
    assert [c.text for c in table.rows[0].cells][:2] == ["序号", "项目名称"]
    links = _links(doc, table)
    # The demo's furthest behind at 2026-02 (省重点, the city): 完成率3.6%, 13.1 points behind.
    assert links[0] == (
        "青山县医疗器械产业园建设项目",
        "https://zhongda.example.gov.cn/project?code=2204-990122-01-01-000046&period=2026-02",
    )
    behind = briefing.furthest_behind(demo, Scope(demo.latest_period), Convention.MONTHS)
    assert len(links) == len(behind) == 10
    assert [url for _, url in links] == [
        f"https://zhongda.example.gov.cn/project?code={c}&period=2026-02"
        for c in behind["项目代码"]
    ]
    assert [name for name, _ in links] == list(behind["项目名称"])
    # External relationships, one a project; the link's text keeps the table's 仿宋.
    external = [r for r in doc.part.rels.values() if r.reltype == RT.HYPERLINK]
    assert all(r.is_external for r in external) and len(external) == 10
    link = table.rows[1].cells[1]._tc.find(".//" + qn("w:hyperlink"))
    (run,) = [r for r in link.findall(qn("w:r")) if "".join(r.itertext())]
    assert run.find(".//" + qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋"
    assert run.find(".//" + qn("w:u")).get(qn("w:val")) == "single"


@pytest.mark.parametrize("base_url", ["", "zhongda.example.gov.cn"])
def test_no_address_no_links(demo, tmp_path, monkeypatch, base_url):
    """Unset (the default) or not an http(s) address: the names as plain text."""
    _settings(tmp_path, monkeypatch, base_url)
    doc, table = _appendix(demo)
    links = _links(doc, table)
    assert len(links) == 10 and links[0] == ("青山县医疗器械产业园建设项目", "")
    assert all(url == "" for _, url in links)
    assert not [r for r in doc.part.rels.values() if r.reltype == RT.HYPERLINK]
    assert not doc.element.body.findall(".//" + qn("w:hyperlink"))
