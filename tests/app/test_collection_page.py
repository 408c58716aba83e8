"""报送情况 on the demo: the month's counts, the county table, the missing projects, the 催报
downloads and text, the pre-filled returns; the sidebar's filters followed; an empty scope says
so in Chinese."""

from __future__ import annotations

from app_kit import open_app, unescaped

from core.figures import collection as C


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info]
    return unescaped("\n".join(parts))


def test_the_page_opens_on_the_latest_period_with_the_counties_and_missing_projects():
    at = open_app("collection")
    assert at.title[0].value == "报送情况"
    text = _texts(at)
    assert "范围:全市 · 全部行业领域 · 省重点 · 截至2026年2月底" in text
    assert "2026年2月月度进度:7/10个区县已报送,应报项目106个,已报103个,未报3个。" in text
    assert "逾期未报齐3个区县:城北区、高新区、白石县。" in text
    assert "应于2026年3月3日前报送" in text
    counties, missing = at.dataframe[0].value, at.dataframe[1].value
    assert len(counties) == 10 and C.LATE not in counties.columns
    assert counties.set_index("所在区县").loc["城北区", C.STATE] == C.PARTLY
    assert missing["所在区县"].tolist() == ["城北区", "高新区", "白石县"]
    for frame in (counties, missing):
        shown = frame.astype(str).to_numpy().ravel().tolist()
        assert not {"None", "nan", "NaN", "<NA>"} & set(shown)
    chat = at.text_area(key="collection_text").value
    assert chat.startswith("【催报】2026年2月重大项目月度进度")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载催报通知(Word)" in labels
    assert any(label.startswith("下载全部区县的报送表(共3份") for label in labels)


def test_the_page_follows_the_sidebar():
    at = open_app("collection", county="城东区")
    text = _texts(at)
    assert "1/1个区县已报送" in text
    assert "应报送的项目均已报送。" in text
    assert "各区县均已报齐,无需催报。" in text
    assert "各区县均已报齐,无需预填报送表。" in text


def test_a_scope_without_projects_due_is_told_in_chinese():
    at = open_app("collection", stage="储备")  # a list of projects not yet under way
    assert not at.exception and not at.dataframe
    assert "当前范围内没有2026年2月应报送月度进度的项目" in _texts(at)


def test_the_overview_says_how_many_counties_have_reported():
    at = open_app()
    line = "报送情况:7/10个区县已报送2026年2月月度进度,城北区、高新区、白石县尚未报齐。"
    assert line in _texts(at)
    at = open_app(present="1")  # not on the projector's screens
    assert "报送情况" not in _texts(at)


def test_the_month_after_the_newest_returns_is_offered():
    at = open_app("collection")
    at.button_group(key="collection_month").set_value("2026-03").run()
    assert not at.exception, [e.value for e in at.exception]
    text = _texts(at)
    assert "2026年3月月度进度:0/10个区县已报送,应报项目106个,已报0个,未报106个。" in text
    assert "应于2026年4月3日前报送" in text
    labels = [b.proto.label for b in at.get("download_button")]
    assert "下载全部区县的报送表(共10份,zip)" in labels
