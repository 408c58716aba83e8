"""汇报模式's long tables and texts cut into screens, and projector charts whose labels are not
cut with "…": figures worked out by hand (the browser test measures the same screens drawn)."""

import re

import pandas as pd
import vl_convert as vlc

from app_pages import presentation as present
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.output import charts

# A column half the table's width holds 0.5 × 1840 px ÷ 31 px − 1.2 = 28.48 characters a line.
NAME_SHARE = [0.5, 0.25, 0.25]


def _frame(name_lengths: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "项目名称": ["项" * n for n in name_lengths],
            "区县": ["青山县"] * len(name_lengths),
            "完成率": ["12.5%"] * len(name_lengths),
        }
    )


def test_a_long_name_takes_more_lines_and_the_rows_move_on():
    # 20 characters: one line; 40: two; 60: three (28.48 a line)
    assert [
        present._row_lines(["项" * n, "青山县", "12.5%"], NAME_SHARE) for n in (20, 40, 60)
    ] == [
        1,
        2,
        3,
    ]
    # lines 1, 2, 3, 1, 1 in screens of four: [1+2], [3+1], [1]
    parts = present.table_parts(_frame([20, 40, 60, 20, 20]), NAME_SHARE, lines=4)
    assert parts == [(0, 2), (2, 4), (4, 5)]


def test_a_row_taller_than_a_screen_has_a_screen_of_its_own():
    parts = present.table_parts(_frame([200, 10]), NAME_SHARE, lines=4)  # 8 lines, then 1
    assert parts == [(0, 1), (1, 2)]


def test_the_same_table_on_half_the_screen_takes_twice_the_lines():
    # half the width: 0.25 × 1840 ÷ 31 − 1.2 = 13.64 characters a line; 20 → 2 lines
    parts = present.table_parts(_frame([20, 20, 20]), NAME_SHARE, lines=4, share=0.5)
    assert parts == [(0, 2), (2, 3)]


def test_an_empty_table_is_one_screen():
    assert present.table_parts(_frame([]), NAME_SHARE, lines=4) == [(0, 0)]


def test_a_text_in_screens_never_leaves_a_heading_at_the_bottom():
    # a line holds 1840 ÷ 31 − 2 = 57.35 characters
    sentence = "字" * 55 + "。"  # 56 characters: one line each
    blocks = [
        ("h", "一、推进情况"),
        ("p", sentence * 3),
        ("h", "二、存在问题"),
        ("p", sentence * 2),
    ]
    screens = present.prose_parts(blocks, lines=6)
    # 2 + 3 lines, then the heading (2) with one line of its text would make 8 > 6: it moves
    assert [[k for k, _ in s] for s in screens] == [["h", "p"], ["h", "p"]]
    assert screens[0][1][1] == sentence * 3 and screens[1][1][1] == sentence * 2


def test_a_paragraph_longer_than_a_screen_goes_on_at_a_sentence_end():
    sentence = "字" * 55 + "。"
    screens = present.prose_parts([("p", sentence * 10)], lines=6)
    # runs of at most lines − 2 = 4 lines: 4 + 4 + 2 sentences; the last two runs share the
    # second screen (4 + 2 = 6 lines), as one paragraph
    assert [[(k, len(t) // len(sentence)) for k, t in s] for s in screens] == [
        [("p", 4)],
        [("c", 6)],
    ]
    assert "".join(t for s in screens for _, t in s) == sentence * 10  # nothing lost or doubled


def _svg_texts(spec: dict) -> list[str]:
    svg = vlc.vegalite_to_svg(spec)
    return [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>.*?</text>", svg)]


def test_projector_chart_labels_are_whole(demo):
    """「政策性开发性金融工具」 on the funding chart's axis, drawn at projector size, whole —
    at Vega's default 180 px it was 「政策性开…」."""
    scope = Scope(Period(2026, 2))
    chart = charts.funding_by_source(M.funding_by_source(demo, scope), scope)
    spec = charts.projector_spec(chart, 700)
    spec["width"] = 1800  # the projector's width ("container" has no container here)
    texts = _svg_texts(spec)
    assert "政策性开发性金融工具" in texts
    assert not [t for t in texts if t.endswith("…")], texts
    assert spec["config"]["axis"]["labelLimit"] >= charts.AXIS_LABEL_LIMIT


def test_projector_spec_grows_a_charts_own_label_limit():
    frame = pd.DataFrame({"名称": ["甲"], "值": [1]})
    import altair as alt

    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(y=alt.Y("名称:N", axis=alt.Axis(labelLimit=360, labelFontSize=10)), x="值:Q")
    )
    out = charts.ChartOut("k", "标题", Scope(Period(2026, 2)), chart, frame, 760, 340)
    spec = charts.projector_spec(out, 500)
    # the smallest type, 10 px, is made 20 (factor 2): its 360 px label limit becomes 720
    assert spec["encoding"]["y"]["axis"]["labelLimit"] == 720
    assert spec["encoding"]["y"]["axis"]["labelFontSize"] == 20
