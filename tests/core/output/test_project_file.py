"""项目档案 as a Word document, opened with python-docx; the project's curve as a chart."""

from __future__ import annotations

import io

import pytest
from docx import Document
from PIL import Image

from core.base import schema as S
from core.base.periods import Period
from core.figures import project as P
from core.output import export, project_charts, project_file
from tests.cycle_kit import portfolio_of, problem, project

MARCH = Period(2026, 3)


@pytest.fixture(scope="module")
def f():
    p = portfolio_of(
        [project("P-1", **{S.OWNER: "甲建设公司"})],
        plans=[("P-1", 2026, 1200)],
        monthly=[("P-1", "2026-02", 300, "2026-01"), ("P-1", "2026-03", 150)],
        problems=[
            problem(
                "W1",
                "P-1",
                "2026-01",
                **{
                    S.DEADLINE: "2026-02-10",
                    S.ASSIGNED_ON: "2026-01-10",
                    S.HANDLING_NOTES: "2026-01-15 已组卷上报",
                },
            )
        ],
        milestones=[("P-1", "开工", "2024-01", "2024-01"), ("P-1", "主体完工", "2026-02", "")],
    )
    monthly = p.monthly.copy()
    monthly[S.PROGRESS_TEXT] = ["桩基施工", "主体施工"]
    return P.project_file(p.with_tables(monthly=monthly), "P-1", MARCH)


def test_the_word_file_holds_the_story(f):
    scope = project_charts.scope_of(f, project("P-1") | {S.LEVEL: "省重点"})
    data = project_file.docx_bytes(f, scope)
    doc = Document(io.BytesIO(data))
    text = "\n".join(par.text for par in doc.paragraphs)
    assert "P-1项目项目档案" in text
    for heading in ("一、项目基本情况", "二、本年度投资完成情况", "三、形象进度",
                    "四、存在问题及督办情况", "五、节点计划"):  # fmt: skip
        assert heading in text
    # 450 of 1200: 37.5% against 25.0%, said in full-width punctuation.
    assert "完成率37.5%" in text and "序时进度25.0%" in text and "+12.5个百分点" in text
    assert "1-2月只报送了合计数" in text
    assert len(doc.inline_shapes) == 1  # the curve, as a PNG
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    card, progress, problems, nodes = tables
    assert ["项目名称", "P-1项目", "项目代码", "P-1"] in card
    assert progress[1:] == [["2026年2月(1-2月合计)", "300.00", "桩基施工"],
                            ["2026年3月", "150.00", "主体施工"]]  # fmt: skip
    assert problems[1][0] == "用地:用地未落实"
    assert problems[1][4] == "办理中(超期49天)"
    assert problems[1][5] == "2026-01-15 已组卷上报"
    assert [row[3] for row in nodes[1:]] == ["按期完成", "逾期未完成"]
    every = text + "".join(c for t in tables for row in t for c in row)
    assert "None" not in every and "nan" not in every


def test_the_curve_draws_the_sum_as_one_span(f):
    scope = project_charts.scope_of(f, project("P-1") | {S.LEVEL: "省重点"})
    c = project_charts.curve(f, scope)
    spec = c.chart.to_dict()  # validated against the Vega-Lite schema
    assert "1-2月合计" in str(spec)
    assert export.png(c)[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(c.data.loc[c.data["系列"] == "本年累计完成", "月份"]) == ["2月", "3月"]
    g = project_charts.gantt(f, scope)
    assert list(g.data["节点"]) == ["开工", "主体完工"]


def test_this_months_site_photos_go_under_the_progress(f):
    scope = project_charts.scope_of(f, project("P-1") | {S.LEVEL: "省重点"})
    jpeg = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 120, 150)).save(jpeg, "JPEG")
    shots = [("2026年3月", jpeg.getvalue())] * 2
    doc = Document(io.BytesIO(project_file.docx_bytes(f, scope, with_chart=False, photos=shots)))
    assert len(doc.inline_shapes) == 2
    assert "现场照片(2026年3月)" in "\n".join(par.text for par in doc.paragraphs).replace(
        "（", "("
    ).replace("）", ")")
