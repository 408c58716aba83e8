"""The overview at the precision an office publishes ([format] percent_decimals and
amount_decimals = 2): every rate, gap and amount to two decimals, the gap the difference of the
rates shown. The demo at 2026-02, 省重点 (tests/app/test_pages.py states it at one decimal):
1,726,000 of 12,070,000万元 = 14.2999% → 14.30%, against 2/12 = 16.6667% → 16.67%: 2.37 points
behind (2.4 at one decimal, from 14.3% and 16.7%)."""

from app_kit import metrics, open_app, unescaped

from core.base import settings


def test_the_overview_at_two_decimals(tmp_path, monkeypatch):
    own = tmp_path / "本办设置.toml"
    own.write_text("[format]\npercent_decimals = 2\namount_decimals = 2\n", encoding="utf-8")
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    at = open_app()
    shown = {unescaped(m.label): (m.value, m.delta) for m in metrics(at)}
    assert shown["年度计划投资(亿元)"][0] == "1207.00"
    assert shown["1-2月完成投资(亿元)"][0] == "172.60"
    assert shown["完成率"][0] == "14.30%"
    assert shown["序时进度(按月)"] == ("16.67%", "落后2.37个百分点")
    assert shown["已落实资金(亿元)"][0] == "1200.00"
    body = unescaped("\n".join(m.value for m in at.markdown))
    assert "累计完成投资172.60亿元,占年度计划的14.30%,落后序时进度2.37个百分点" in body
    assert "拟争取省级补助资金69.60亿元" in body
    assert "14.3%" not in body and "172.6亿元" not in body
