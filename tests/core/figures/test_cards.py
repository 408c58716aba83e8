"""The overview's cards: no arrow beside 持平, and no change against a base the data lack."""

import pytest

from core.base.periods import Convention, Period
from core.figures import measures as M
from core.figures import overview as O
from core.figures.measures import YearFigures
from core.figures.scope import Scope


def figures(count: int, plan: float, done: float) -> YearFigures:
    return YearFigures(Period(2026, 2), 2 / 12, count, 1000.0, plan, done, 4, 2)


@pytest.mark.parametrize(
    ("now", "before", "delta", "arrow"),
    [
        (5, 5, "持平", "off"),  # was "↑ 持平"
        (6, 5, "+1个", "auto"),
        (4, 5, "-1个", "auto"),
    ],
)
def test_count_card_has_no_arrow_beside_level(now, before, delta, arrow):
    cards = O.kpi_cards(figures(now, 100, 10), figures(before, 100, 10), Convention.MONTHS)
    count = cards[0]
    assert (count.delta, count.delta_arrow) == (delta, arrow)
    assert count.delta_color == ("off" if delta == "持平" else "normal")


def test_no_base_drops_every_change_and_says_why():
    reason = "数据自2024年1月起,上年同期(2023年1月)不在数据范围内,不计算同比。"
    cards = O.kpi_cards(figures(5, 100, 10), figures(3, 50, 5), Convention.MONTHS, reason)
    with_change = [c for c in cards if c.description]  # all but 序时进度
    assert with_change and all(c.delta is None for c in with_change)
    assert all(reason in c.help for c in with_change)
    schedule = next(c for c in cards if c.label.startswith("序时进度"))
    assert schedule.delta == "落后6.7个百分点"  # 10.0% − 16.7%: not a change on last year


@pytest.mark.parametrize(
    ("period", "flows", "funding"),
    [
        # Returns and funding records both begin in 2024-01.
        ("2024-01", "不在数据范围内", "在此之前"),
        ("2025-01", None, "只含此前1个月的记录"),  # was "已落实资金 +9613.2% 同比"
        ("2025-06", None, "只含此前6个月的记录"),
        ("2025-12", None, "只含此前12个月的记录"),
        ("2026-01", None, None),
        ("2026-02", None, None),
    ],
)
def test_which_bases_are_comparable(demo, period, flows, funding):
    p = Period.parse(period)
    for reason, expected in ((M.no_base_reason(demo, p), flows),
                             (M.no_funding_base_reason(demo, p), funding)):  # fmt: skip
        assert (reason is None) == (expected is None)
        if expected:
            assert expected in reason


def test_funding_card_at_the_first_comparable_period(demo):
    scope = Scope(Period(2025, 1))
    now = sum(M.funding_by_channel(demo, scope).values())
    before = sum(M.funding_by_channel(demo, scope, Period(2024, 1)).values())
    card = O.funding_card(now, before, M.no_funding_base_reason(demo, scope.period))
    assert card.delta is None
    assert "不计算同比" in card.help


@pytest.mark.parametrize(
    ("period", "opening", "note"),
    [
        ("2026-02", "目前,全市", None),
        ("2025-01", "截至2026年2月(当前状态),全市", "不随所选报告期(2025年1月)回溯"),
    ],
)
def test_stage_figures_at_a_past_period_say_they_are_current(demo, period, opening, note):
    """At 2025-01 the 在建 card showed today's 106 beside that period's 110 projects, unlabelled."""
    scope = Scope(Period.parse(period))
    sentence = O.pipeline_sentence(M.pipeline(demo, scope), scope, demo.latest_period)
    assert sentence.startswith(opening)
    label = O.stages_as_of(scope, demo.latest_period)
    assert (label is None) == (note is None)
    if note:
        assert note in label
