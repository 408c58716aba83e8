"""The precision an office publishes ([format] percent_decimals, amount_decimals: 1 or 2
decimals), as a table of formatting cases worked by hand for each; the setting checked at load;
a gap stated from the rates as shown, so that no figure contradicts its sign or status; and one
document (the 简报) written at two decimals."""

import io

import pandas as pd
import pytest
from docx import Document

from core.base import settings
from core.base.formatting import (
    growth_phrase,
    pct,
    points,
    schedule_phrase,
    signed_points,
    yi,
    yi_two_decimals,
)
from core.base.periods import Convention, Period
from core.figures import briefing
from core.figures import measures as M
from core.figures.scope import Scope
from core.figures.status import statuses
from core.output import document
from core.store.versions import Store

FEB = Period(2025, 2)


@pytest.fixture
def published(tmp_path, monkeypatch):
    """The office's settings file with a [format] section."""

    def write(text: str) -> None:
        file = tmp_path / "settings.toml"
        file.write_text(f"[format]\n{text}\n", encoding="utf-8")
        monkeypatch.setenv("BRIEFING_SETTINGS", str(file))

    return write


# (what, value, one decimal, two decimals), each worked by hand (half up, as by hand).
CASES = [
    (pct, 0.143, "14.3%", "14.30%"),
    (pct, 10_000 / 96_000, "10.4%", "10.42%"),  # 10.4167%
    (pct, 2 / 12, "16.7%", "16.67%"),  # 序时进度 at February's end
    (pct, 0.14345, "14.3%", "14.35%"),  # half up at the second decimal: 14.345 → 14.35
    (pct, 0.14355, "14.4%", "14.36%"),  # 14.355: half up at the first decimal
    (pct, -0.0004, "0.0%", "-0.04%"),  # no "-0.0%" at one decimal
    (pct, 0.00004, "0.0%", "0.00%"),
    (pct, None, "—", "—"),
    (pct, float("nan"), "—", "—"),
    (schedule_phrase, 0.138, "超序时进度13.8个百分点", "超序时进度13.80个百分点"),
    (schedule_phrase, -0.0625, "落后序时进度6.3个百分点", "落后序时进度6.25个百分点"),
    (schedule_phrase, -0.0004, "与序时进度持平", "落后序时进度0.04个百分点"),
    (schedule_phrase, 0.0, "与序时进度持平", "与序时进度持平"),
    (signed_points, 0.0416, "+4.2个百分点", "+4.16个百分点"),
    (signed_points, -0.0416, "-4.2个百分点", "-4.16个百分点"),
    (signed_points, -0.00004, "0.0个百分点", "0.00个百分点"),  # no sign on a zero shown
    (growth_phrase, 0.07, "增长7.0%", "增长7.00%"),
    (growth_phrase, -0.04125, "下降4.1%", "下降4.13%"),
    (growth_phrase, 0.0004, "持平", "增长0.04%"),
    # Amounts in 万元 to 亿元
    (yi, 1_726_000, "172.6亿元", "172.60亿元"),
    (yi, 1_000, "0.1亿元", "0.10亿元"),
    (yi, 9_650, "1.0亿元", "0.97亿元"),  # 0.965 亿元 half up
    (yi, 300, "300万元", "0.03亿元"),  # under 0.05亿元 (one decimal) in 万元; 0.03 reads at two
    (yi, 32.45, "32.5万元", "32.45万元"),  # under 0.005亿元 in 万元 at two decimals too
    (yi, 0, "0.0亿元", "0.00亿元"),
    (yi, None, "—", "—"),
    (yi_two_decimals, 3_456, "0.35亿元", "0.35亿元"),  # a project's amounts: 2 at least
]


@pytest.mark.parametrize(("what", "value", "one", "two"), CASES)
def test_formatting_at_one_and_two_decimals(published, what, value, one, two):
    published("percent_decimals = 1\namount_decimals = 1")
    assert what(value) == one
    published("percent_decimals = 2\namount_decimals = 2")
    assert what(value) == two


def test_a_published_statement_at_two_decimals(published):
    """江门's 2021 重点建设项目 1-3月: 年度投资计划1015亿元, 累计完成投资313.64亿元, 为年度投资计划的
    30.90%, 超过时间进度5.90个百分点 (3/12 = 25.00%)."""
    published("percent_decimals = 2\namount_decimals = 2")
    done, plan = 3_136_400, 10_150_000
    assert yi(done) == "313.64亿元"
    assert pct(done / plan) == "30.90%"
    assert schedule_phrase(M.schedule_gap(done / plan, 3 / 12)) == "超序时进度5.90个百分点"


def test_the_default_is_one_decimal():
    assert settings.current().percent_decimals == 1
    assert settings.current().amount_decimals == 1
    assert pct(0.14345) == "14.3%"
    assert points(-0.0625) == -6.3


def test_percent_and_amount_decimals_are_set_apart(published):
    published("percent_decimals = 2\namount_decimals = 1")
    assert (pct(0.14345), yi(1_726_000)) == ("14.35%", "172.6亿元")
    published("percent_decimals = 1\namount_decimals = 2")
    assert (pct(0.14345), yi(1_726_000)) == ("14.3%", "172.60亿元")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("percent_decimals = 3", "[format]的percent_decimals应为1或2,实际为3"),
        ("percent_decimals = 0", "[format]的percent_decimals应为1或2,实际为0"),
        ('amount_decimals = "两位"', '[format]的amount_decimals应为1或2,实际为"两位"'),
        ("amount_decimals = 1.5", "[format]的amount_decimals应为1或2,实际为1.5"),
        ("amount_decimals = true", "[format]的amount_decimals应为1或2,实际为true"),
        (
            "decimals = 2",
            "[format]没有设置项decimals,可用的设置项为percent_decimals、amount_decimals",
        ),
    ],
)
def test_the_setting_is_checked_at_load(published, text, message):
    published(text)
    with pytest.raises(settings.SettingsError) as caught:
        settings.current()
    assert str(caught.value) == f"设置文件settings.toml中{message}"


# The mini data set at 2025-02, all levels (tests/core/figures/test_measures.py): plan 9600,
# done 1000 → 10.4167%; 序时进度 2/12 = 16.6667%.
#   one decimal:  10.4% − 16.7% = −6.3 points
#   two decimals: 10.42% − 16.67% = −6.25 points
# At 2025-01, all levels: done 400 of 9600 = 4.1667% against 1/12 = 8.3333%:
#   one decimal:  4.2% − 8.3% = −4.1 (the unrounded −4.17 would say 4.2)
#   two decimals: 4.17% − 8.33% = −4.16
@pytest.mark.parametrize(
    ("decimals", "rate", "gap", "jan_gap"),
    [
        (1, "10.4%", "落后序时进度6.3个百分点", "-4.1个百分点"),
        (2, "10.42%", "落后序时进度6.25个百分点", "-4.16个百分点"),
    ],
)
def test_a_gap_is_the_difference_of_the_rates_shown(mini, published, decimals, rate, gap, jan_gap):
    published(f"percent_decimals = {decimals}")
    f = M.year_figures(mini, Scope(FEB, level=None))
    assert (pct(f.rate), schedule_phrase(f.gap)) == (rate, gap)
    jan = M.year_figures(mini, Scope(Period(2025, 1), level=None))
    assert (jan.plan, jan.done) == (9600, 400)
    assert signed_points(jan.gap) == jan_gap


def test_a_status_never_contradicts_the_figures_shown(published):
    """A threshold is compared with the gap of the rates as shown. 序时进度 3.2/12 = 26.6667%
    and a rate of 16.68%: unrounded, 9.9867 points behind. At one decimal the page states
    16.7% against 26.7%, 10.0 points: 严重滞后 (10 points), as the figures say. At two decimals
    it states 16.68% against 26.67%, 9.99 points: 滞后, not the 严重滞后 of a gap read to one
    decimal (−10.0)."""
    rate, schedule = 0.1668, 3.2 / 12
    for decimals, shown, status in ((1, "-10.0个百分点", "严重滞后"), (2, "-9.99个百分点", "滞后")):
        published(f"percent_decimals = {decimals}")
        gap = M.schedule_gap(rate, schedule)
        assert signed_points(gap) == shown
        assert list(statuses(pd.Series([gap]))) == [status]


def test_the_briefing_at_two_decimals(mini, published, tmp_path):
    """The 简报 of the mini data set, February 2025, every level: its figures to two decimals,
    in the text and in the Word document."""
    published("percent_decimals = 2\namount_decimals = 2")
    scope = Scope(FEB, level=None)
    text = briefing.write(mini, scope).text()
    store = Store(f"sqlite:///{tmp_path / 'numbers.sqlite'}")
    try:
        data = document.docx_bytes(mini, scope, Convention.MONTHS, text, store=store)
    finally:
        store.close()
    words = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    # 1000 of 9600 → 10.42%, 6.25 points behind 16.67%; 1000万元 = 0.10亿元; C-003: 100 of
    # 2400 → 4.17%; 开工率 2 of 2 → 100.00%; 产业项目 高新技术 1.00 of 1.80亿元 → 55.56%.
    for figure in ("占年度计划的10.42%,落后序时进度6.25个百分点", "累计完成投资0.10亿元",
                   "完成率4.17%", "开工率100.00%", "占比55.56%"):  # fmt: skip
        assert figure.replace(",", "，") in words, figure
    assert "10.4%" not in words and "0.1亿元" not in words
