"""序时进度 conventions and the Chinese number formats, as tables of hand-worked cases."""

import pytest

from core.base import formatting as F
from core.base.periods import Convention, Period, schedule_share
from core.figures.measures import schedule_gap


@pytest.mark.parametrize(
    ("period", "convention", "expected"),
    [
        (Period(2025, 10), Convention.MONTHS, 10 / 12),  # end of October → 83.3%
        (Period(2026, 2), Convention.MONTHS, 2 / 12),
        (Period(2025, 12), Convention.MONTHS, 1.0),
        (Period(2025, 10), Convention.DAYS, 304 / 365),  # 31+28+31+30+31+30+31+31+30+31
        (Period(2024, 10), Convention.DAYS, 305 / 366),  # leap year
        (Period(2026, 2), Convention.DAYS, 59 / 365),
        (Period(2024, 2), Convention.DAYS, 60 / 366),
        (Period(2025, 12), Convention.DAYS, 1.0),
    ],
)
def test_schedule_share(period, convention, expected):
    assert schedule_share(period, convention) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("done", "plan", "period", "convention", "rate", "phrase"),
    [
        # The published example: 1-10月完成629.0亿元,占年度计划647.4亿元的97.2%,超时间进度13.8个百分点
        # (97.16 − 83.33 unrounded). The product subtracts the rates it shows: 97.2 − 83.3 = 13.9.
        (629.0, 647.4, Period(2025, 10), Convention.MONTHS, "97.2%", "超序时进度13.9个百分点"),
        # 青山县 of the demo at 2026-02: 5.4% shown against 16.7% reads 11.3, not 11.2.
        (
            0.054 * 1000 - 0.0004,
            1000.0,
            Period(2026, 2),
            Convention.MONTHS,
            "5.4%",
            "落后序时进度11.3个百分点",
        ),
        # Days: 97.2% − 304/365 (83.3%) = 13.9.
        (629.0, 647.4, Period(2025, 10), Convention.DAYS, "97.2%", "超序时进度13.9个百分点"),
        # The report's 106 projects at the end of February: 14.3% − 16.7% = −2.4.
        (172.6, 1207.0, Period(2026, 2), Convention.MONTHS, "14.3%", "落后序时进度2.4个百分点"),
        # Days: 14.3% − 59/365 (16.2%) = −1.9.
        (172.6, 1207.0, Period(2026, 2), Convention.DAYS, "14.3%", "落后序时进度1.9个百分点"),
        # Exactly on schedule.
        (50.0, 100.0, Period(2026, 6), Convention.MONTHS, "50.0%", "与序时进度持平"),
        # 1000/9600 − 2/12 = −6.25 exactly: half-up gives 6.3, not the float's 6.2.
        (1000.0, 9600.0, Period(2025, 2), Convention.MONTHS, "10.4%", "落后序时进度6.3个百分点"),
    ],
)
def test_rate_and_schedule_phrase(done, plan, period, convention, rate, phrase):
    r = done / plan
    assert F.pct(r) == rate
    assert F.schedule_phrase(schedule_gap(r, schedule_share(period, convention))) == phrase


@pytest.mark.parametrize(
    ("wan", "text"),
    [(3500, "0.35亿元"), (300, "0.03亿元"), (1_726_000, "172.60亿元"), (None, "—")],
)
def test_yi_two_decimals_never_switches_to_wan(wan, text):
    assert F.yi_two_decimals(wan) == text


@pytest.mark.parametrize(
    ("wan", "text"),
    [
        (1_726_000, "172.6亿元"),
        (28_907_000, "2890.7亿元"),
        (11_360_000, "1136.0亿元"),
        (500, "0.1亿元"),  # 0.05 rounds half up
        (300, "300万元"),  # not "0.0亿元"
        (12.35, "12.4万元"),
        (0, "0.0亿元"),
        (-1_234_500, "-123.5亿元"),
        (None, "—"),
        (float("nan"), "—"),
    ],
)
def test_yi(wan, text):
    assert F.yi(wan) == text


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [(14.25, 1, 14.3), (14.35, 1, 14.4), (2.675, 2, 2.68), (-6.25, 1, -6.3), (0.05, 1, 0.1)],
)
def test_round_half_up(value, digits, expected):
    assert F.round_half_up(value, digits) == expected


@pytest.mark.parametrize(
    ("rate", "phrase"),
    [(0.07, "增长7.0%"), (-0.04, "下降4.0%"), (0.0, "持平"), (0.00004, "持平"), (None, "—")],
)
def test_growth_phrase(rate, phrase):
    assert F.growth_phrase(rate) == phrase


@pytest.mark.parametrize(
    ("gap", "text"), [(0.138, "+13.8个百分点"), (-0.024, "-2.4个百分点"), (0.0, "0.0个百分点")]
)
def test_signed_points(gap, text):
    assert F.signed_points(gap) == text


def test_period_labels():
    p = Period.parse("2026-02")
    assert (p.key, p.label, p.as_of, p.ytd_label) == (
        "2026-02",
        "2026年2月",
        "截至2026年2月底",
        "1-2月",
    )
    assert Period(2026, 1).ytd_label == "1月"
    assert p.same_period_last_year() == Period(2025, 2)
    assert p.shift(-3) == Period(2025, 11)


@pytest.mark.parametrize("bad", ["2026/02", "2026-13", "26-02", ""])
def test_period_parse_rejects(bad):
    with pytest.raises(ValueError, match=r"报告期|月份"):
        Period.parse(bad)
