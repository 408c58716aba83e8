"""序时进度 by the office's own rule ([schedule] of the settings), as a table of cases worked by
hand: months ÷ 12, days ÷ days in year, half-month steps, target-scaled; and the gap each
gives against a 完成率, as the pages state it."""

import datetime as dt

import pytest

from core.base import settings
from core.base.formatting import pct, schedule_phrase
from core.base.periods import Convention, Period, schedule_share
from core.figures import measures as M
from core.figures import ranking as R

MONTHS, DAYS, HALF, TARGET = (Convention.MONTHS, Convention.DAYS, Convention.HALF_MONTHS,
                              Convention.TARGET)  # fmt: skip


@pytest.fixture
def own_rule(tmp_path, monkeypatch):
    """The office's settings file with a [schedule] section."""

    def write(text: str) -> None:
        file = tmp_path / "settings.toml"
        file.write_text(f"[schedule]\n{text}\n", encoding="utf-8")
        monkeypatch.setenv("BRIEFING_SETTINGS", str(file))

    return write


@pytest.mark.parametrize(
    ("period", "convention", "today", "shown"),
    [
        (Period(2025, 10), MONTHS, None, "83.3%"),  # 10/12, the published example's base
        (Period(2026, 2), MONTHS, None, "16.7%"),  # 2/12
        (Period(2026, 2), DAYS, None, "16.2%"),  # 59/365
        (Period(2024, 2), DAYS, None, "16.4%"),  # 60/366, a leap year
        # Half months: a report at mid-August counts 7.5 months: 7.5/12 = 62.5%
        (Period(2026, 8), HALF, dt.date(2026, 8, 15), "62.5%"),
        (Period(2026, 8), HALF, dt.date(2026, 8, 14), "58.3%"),  # before the 15th: 7/12
        (Period(2026, 8), HALF, dt.date(2026, 8, 31), "66.7%"),  # the month is over: 8/12
        (Period(2026, 8), HALF, dt.date(2026, 11, 2), "66.7%"),  # an earlier period: whole
        (Period(2026, 1), HALF, dt.date(2026, 1, 20), "4.2%"),  # 0.5/12
        (Period(2026, 2), HALF, dt.date(2026, 2, 28), "16.7%"),  # February's last day
    ],
)
def test_the_conventions(period, convention, today, shown):
    assert pct(schedule_share(period, convention, today)) == shown


@pytest.mark.parametrize(
    ("percent", "period", "shown"),
    [
        (120, Period(2026, 6), "60.0%"),  # Guangdong: 120% × 6/12
        (120, Period(2026, 2), "20.0%"),  # 120% × 2/12
        (120, Period(2026, 11), "110.0%"),  # not capped: the target is beyond the plan
        (100, Period(2026, 6), "50.0%"),  # 100%: the months rule
    ],
)
def test_target_scaled(own_rule, percent, period, shown):
    own_rule(f'convention = "target"\ntarget_percent = {percent}')
    assert pct(schedule_share(period, TARGET)) == shown
    assert Convention.default() is TARGET
    assert TARGET.short == f"按年度目标{percent}%"
    assert TARGET.label == f"按目标计算(年度目标{percent}%×已过月数÷12)"


@pytest.mark.parametrize(
    ("done", "plan", "period", "convention", "today", "phrase"),
    [
        # 1-6月完成年度计划的62.0%, against 120% × 6/12 = 60.0%: 超2.0个百分点
        (62.0, 100.0, Period(2026, 6), TARGET, None, "超序时进度2.0个百分点"),
        # the same against months ÷ 12 (50.0%): 超12.0
        (62.0, 100.0, Period(2026, 6), MONTHS, None, "超序时进度12.0个百分点"),
        # mid-August, 60.0% done against 62.5%: 落后2.5
        (60.0, 100.0, Period(2026, 8), HALF, dt.date(2026, 8, 16), "落后序时进度2.5个百分点"),
        # the published example: 629.0 of 647.4 at the end of October (97.2% − 83.3%)
        (629.0, 647.4, Period(2025, 10), MONTHS, None, "超序时进度13.9个百分点"),
    ],
)
def test_the_gap_each_rule_gives(own_rule, done, plan, period, convention, today, phrase):
    own_rule('convention = "target"\ntarget_percent = 120')
    gap = M.schedule_gap(done / plan, schedule_share(period, convention, today))
    assert schedule_phrase(gap) == phrase


def test_the_default_rule_is_months(own_rule):
    own_rule('convention = "months"')
    assert Convention.default() is MONTHS
    assert [c.short for c in (MONTHS, DAYS, HALF)] == ["按月", "按日", "按半月"]


def test_a_rule_the_product_does_not_know_is_named(own_rule):
    own_rule('convention = "weeks"')
    with pytest.raises(settings.SettingsError, match=r"\[schedule\]的convention"):
        settings.current()


def test_the_ranking_rule_states_the_schedule_rule(own_rule):
    own_rule('convention = "target"\ntarget_percent = 120')
    rule = R.Rule("gap", 3, 3, "所在区县")
    assert "与序时进度(按年度目标120%计算)比较" in rule.sentence(TARGET)
    assert "与序时进度(按半月计算)比较" in rule.sentence(HALF)
