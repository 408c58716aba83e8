"""`python -m core collection`: the page's 报送情况 printed, for the latest period by default, a
county and the month being collected (after the newest returns) on request."""

from __future__ import annotations

from core.__main__ import main


def test_the_latest_period_by_default(capsys):
    assert main(["collection"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底"
    assert out[2] == "报送截止日期为每月3日,2026年2月的月度进度应于2026年3月3日前报送。"
    assert out[3].startswith("2026年2月月度进度:7/10个区县已报送,应报项目106个,已报103个,未报3个。")
    assert out[4].split("\t")[:3] == ["所在区县", "应报项目数", "已报项目数"]
    assert "城北区\t6\t5\t1\t部分报送\t逾期未报" in "\n".join(out)
    assert out[out.index("未报送项目:") + 1].startswith("城北区\t2504-990104-02-01-000101\t")


def test_a_county_in_the_month_being_collected(capsys):
    assert main(["collection", "--period", "2026-03", "--county", "城北区"]) == 0
    out = capsys.readouterr().out
    assert "2026年3月月度进度:0/1个区县已报送,应报项目6个,已报0个,未报6个。" in out
    assert "None" not in out and "nan" not in out


def test_a_month_far_ahead_and_an_unknown_county_are_refused(capsys):
    assert main(["collection", "--period", "2026-05"]) == 1
    assert main(["collection", "--county", "不存在县"]) == 1
    assert "没有这个区县" in capsys.readouterr().err
