"""The overview's KPI cards as one HTML block (core.output.cards.cards_html): the same
label, value, change and explanation st.metric showed, every text escaped, the colour and arrow
of the change as st.metric gives them."""

from __future__ import annotations

import re

from core.figures.overview import Card
from core.output import cards as C


def _cards(block: str) -> list[str]:
    return block.split('<div class="kpi" ')[1:]


def test_text_from_data_is_escaped():
    hostile = Card(
        '<img src=x onerror="alert(1)">', "<b>1</b>", "+5个", help='"><script>x</script>'
    )
    block = C.cards_html([hostile])
    assert "<img" not in block and "<script>x" not in block and "<b>1" not in block
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in block
    assert 'title="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in block


def test_change_colour_and_arrow_follow_st_metric():
    cards = [
        Card("项目数", "106个", "-4个"),  # a fall, normal: red, down
        Card("完成率", "14.3%", "+5.6个百分点"),  # a rise, normal: green, up
        Card("滞后", "3个", "+2个", delta_color="inverse"),  # a rise that is bad: red
        Card(
            "序时进度", "16.7%", "落后2.4个百分点", "inverse", delta_arrow="off", description=None
        ),  # a phrase: no arrow, red (inverse)
        Card("在建项目", "106个", "4320.0亿元", "off", delta_arrow="off", description=None),
        Card("已落实资金", "1200.0"),  # no change: no change line
    ]
    parts = _cards(C.cards_html(cards))
    assert len(parts) == 6
    assert (
        'kpi-bad" data-testid="stMetricDelta">↓ -4个 <span class="kpi-more">同比</span>' in parts[0]
    )
    assert 'kpi-good" data-testid="stMetricDelta">↑ +5.6个百分点' in parts[1]
    assert 'kpi-bad" data-testid="stMetricDelta">↑ +2个' in parts[2]
    assert 'kpi-bad" data-testid="stMetricDelta">落后2.4个百分点</div>' in parts[3]
    assert 'kpi-off" data-testid="stMetricDelta">4320.0亿元</div>' in parts[4]
    assert "stMetricDelta" not in parts[5]
    values = [re.search(r'data-testid="stMetricValue"><div>([^<]*)<', p).group(1) for p in parts]
    assert values == ["106个", "14.3%", "3个", "16.7%", "106个", "1200.0"]


def test_one_style_and_the_row_width():
    block = C.cards_html([Card("a", "1")] * 5, per_row=5)
    assert block.count("<style>") == 1 and "--kpi-n: 5" in block
    assert "@media (max-width: 900px)" in block  # two a row on a phone


def test_an_indicators_change_is_coloured_by_the_news_without_an_arrow():
    from core.figures.indicators import Card as IndicatorCard

    cards = [  # group, name, when, value, change, change_sign, target, unit
        IndicatorCard(
            "科技创新", "研发投入", "2025年", "150", "增长12.0%", 1, "目标160亿元", "亿元"
        ),
        IndicatorCard("绿色发展", "单位GDP能耗", "2025年", "0.384", "上升2.0%", -1),
        IndicatorCard("民生保障", "城镇新增就业", "2025年", "3.2万人", "持平", 0),
        IndicatorCard("营商环境", "新设市场主体", "2025年", "1.2万户", None, 0),
    ]
    block = C.indicator_cards_html(cards, per_row=3)
    parts = _cards(block)
    assert len(parts) == 4 and "--kpi-n: 3" in block
    assert 'data-label="研发投入(亿元)"' in parts[0] and 'title="目标160亿元"' in parts[0]
    assert 'kpi-good" data-testid="stMetricDelta">增长12.0%</div>' in parts[0]
    assert 'kpi-bad" data-testid="stMetricDelta">上升2.0%</div>' in parts[1]
    assert 'kpi-off" data-testid="stMetricDelta">持平</div>' in parts[2]
    assert "stMetricDelta" not in parts[3] and "kpi-help" not in parts[1]
