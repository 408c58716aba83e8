"""The meeting's slide deck: slides, titles, figures as text, pictures, fonts, notes; the CLI;
and, through LibreOffice, Chinese glyphs on the rendered slide."""

import io
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops
from pptx import Presentation
from pptx.util import Emu

from core.__main__ import main
from core.base.periods import Convention, Period
from core.figures import briefing as B
from core.figures.scope import Scope
from core.output import agenda as A
from core.output import deck, pages
from core.store.versions import Store
from tests.access_kit import ADMIN

MEETING = A.Agenda(
    "3月调度会",
    (
        A.View("overview"),
        A.View("overview", counties=("青山县",)),
        A.View("progress", sectors=("产业项目",)),
        A.View("factors"),
        A.View("map", counties=("青山县", "临湖县")),
    ),
)


@pytest.fixture(scope="module")
def slides(demo):
    data = deck.pptx_bytes(demo, MEETING, demo.latest_period, Convention.MONTHS)
    return Presentation(io.BytesIO(data))


def _texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text]


def _pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE


def test_deck_is_16_9_with_a_title_slide_and_one_slide_per_view(slides):
    assert (slides.slide_width, slides.slide_height) == (Emu(12192000), Emu(6858000))
    assert len(slides.slides) == 1 + len(MEETING.views)
    title = _texts(slides.slides[0])
    assert title[0] == "3月调度会"
    assert "截至2026年2月底" in title[1]


@pytest.mark.parametrize(
    ("index", "title", "subtitle", "pictures"),
    [
        (1, "总览 · 全市", "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底", 2),
        (2, "总览 · 青山县", "范围:青山县 · 全部行业领域 · 省重点 · 截至2026年2月底", 2),
        (3, "项目进度 · 全市 · 产业项目", "范围:全市 · 产业项目 · 省重点 · 截至2026年2月底", 0),
        (4, "要素保障 · 全市", "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底", 2),
        (5, "项目地图 · 青山县、临湖县", "范围:青山县、临湖县 · 全部行业领域", 1),
    ],
)
def test_each_view_slide(slides, index, title, subtitle, pictures):
    slide = slides.slides[index]
    texts = _texts(slide)
    assert texts[0] == title
    assert texts[1].startswith(subtitle)
    assert len(_pictures(slide)) == pictures
    for pic in _pictures(slide):  # 2× PNG: at least twice the chart's 760 px plot width
        assert pic.image.size[0] >= 2 * 760 or pic.image.size[1] >= 2 * 340


def test_overview_figures_are_editable_text_with_the_report_figures(slides):
    texts = "\n".join(_texts(slides.slides[1]))
    for figure in ("项目数\n106个", "1-2月完成投资(亿元)\n172.6", "完成率\n14.3%",
                   "已落实资金(亿元)\n1200.0"):  # fmt: skip
        assert figure in texts


def test_progress_slide_has_the_table_of_projects_furthest_behind(slides, demo):
    tables = [s.table for s in slides.slides[3].shapes if s.has_table]
    assert len(tables) == 1
    header = [c.text for c in tables[0].rows[0].cells]
    assert header[:3] == ["项目名称", "区县", "状态"]
    behind = B.furthest_behind(
        demo, Scope(demo.latest_period, sectors=("产业项目",)), Convention.MONTHS, 8
    )
    assert tables[0].cell(1, 0).text == behind.iloc[0]["项目名称"]


def test_speaker_notes_hold_the_briefing_for_that_scope(slides, demo):
    scope = Scope(demo.latest_period, counties=("青山县",))
    notes = slides.slides[2].notes_slide.notes_text_frame.text
    assert notes == B.construction_paragraph(demo, scope, Convention.MONTHS)
    assert "青山县" in notes


def test_chinese_runs_name_the_east_asian_font(slides):
    faces = set()
    for slide in slides.slides:
        for shape in slide.shapes:
            if not shape.has_text_frame:
                continue
            for para in shape.text_frame.paragraphs:
                for run in para.runs:
                    ea = run._r.rPr.find(
                        "{http://schemas.openxmlformats.org/drawingml/2006/main}ea"
                    )
                    assert ea is not None, run.text
                    faces.add(ea.get("typeface"))
    assert faces <= {"黑体", "仿宋"} and "黑体" in faces


def test_cli_deck_by_agenda_and_by_filters(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.sqlite"
    monkeypatch.setenv("BRIEFING_DATABASE_URL", url)
    A.Agendas(Store(url)).save(MEETING, actor=ADMIN)
    out = tmp_path / "会.pptx"
    assert main(["deck", "--agenda", "3月调度会", "--out", str(out)]) == 0
    assert len(Presentation(str(out)).slides) == 1 + len(MEETING.views)
    every = tmp_path / "城东区.pptx"
    assert main(["deck", "--county", "城东区", "--period", "2026-01", "--out", str(every)]) == 0
    prs = Presentation(str(every))
    assert len(prs.slides) == 1 + len(pages.presented())
    assert _texts(prs.slides[1])[1].startswith(
        "范围:城东区 · 全部行业领域 · 省重点 · 截至2026年1月底"
    )
    assert main(["deck", "--agenda", "没有这个会"]) == 1
    assert "没有名为“没有这个会”的会议议程" in capsys.readouterr().err


def _render_first_slide(pptx: bytes, folder) -> Image.Image:
    src = folder / "deck.pptx"
    src.write_bytes(pptx)
    subprocess.run(
        [shutil.which("soffice"), "--headless", "--norestore",
         f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf",
         "--outdir", str(folder), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", str(folder / "deck.pdf"),
         str(folder / "slide")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return Image.open(next(folder.glob("slide*.png"))).convert("L")


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")),
    reason="LibreOffice Impress (soffice) or poppler's pdftoppm is not installed",
)
def test_rendered_slide_shows_chinese_glyphs_not_boxes(demo, tmp_path):
    """Missing glyphs all draw as the same empty box, so two titles of one length would render
    the same; real glyphs differ, and have more ink than boxes."""
    period = Period(2026, 2)
    images = []
    for i, name in enumerate(("项目推进调度会", "投资增长分析会")):
        folder = tmp_path / str(i)
        folder.mkdir()
        data = deck.pptx_bytes(demo, A.Agenda(name, (A.View("briefing"),)), period,
                               Convention.MONTHS)  # fmt: skip
        images.append(_render_first_slide(data, folder))
    a, b = images
    w, h = a.size
    title_strip = (0, int(h * 0.25), w, int(h * 0.47))
    diff = ImageChops.difference(a.crop(title_strip), b.crop(title_strip))
    changed = sum(1 for v in diff.getdata() if v > 60)
    assert changed > 400, "the two titles render alike: Chinese glyphs are missing"
    ink = sum(1 for v in a.crop(title_strip).getdata() if v < 160)
    assert ink > 800
