"""KPI cards as one HTML block for st.html: the overview's (core.figures.overview.Card) and the
city indicators' (core.figures.indicators.Card: 经济指标, 投资增长)."""

from __future__ import annotations

import html

from core.figures.indicators import Card as IndicatorCard
from core.figures.overview import Card

# --- The cards as one element ----------------------------------------------------------------
# A row of st.metric cards is one Streamlit element per card (and a column block each): the
# overview's thirteen cards were 13 elements and 15 blocks to send, lay out and draw on every
# rerun. They are one HTML block per row instead, with the same labels, values, changes and
# explanations (title attributes), every text escaped. The markup carries Streamlit's metric
# test ids, so that the projector's type sizes (app_pages.presentation) apply to it unchanged.
# Four cards a row (five for the stages) from 1366 px; two a row on a phone.
CARDS_CSS = """<style>
.kpi-row { display: grid; grid-template-columns: repeat(var(--kpi-n, 4), minmax(0, 1fr));
  gap: 1rem; margin: 0 0 0.25rem 0; }
.kpi-row .kpi { border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem;
  padding: 0.75rem 1rem; min-width: 0; background: #ffffff; }
.kpi-row .kpi-label { display: flex; align-items: flex-start; gap: 0.3rem; color: #111111;
  font-size: 0.875rem; line-height: 1.4; }
.kpi-row .kpi-label p { margin: 0; overflow-wrap: anywhere; }
.kpi-row .kpi-help { flex: none; display: inline-block; width: 1.05em; height: 1.05em;
  border: 1px solid #6b7280; border-radius: 50%; color: #4b5563; font-size: 0.75rem;
  line-height: 1.05em; text-align: center; cursor: help; }
.kpi-row .kpi-value { font-size: clamp(1.45rem, 2.3vw, 2.25rem); line-height: 1.25;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: #111111; }
.kpi-row .kpi-delta { font-size: 0.875rem; line-height: 1.4; overflow-wrap: anywhere; }
.kpi-row .kpi-good { color: #1b7f5a; }
.kpi-row .kpi-bad { color: #c62828; }
.kpi-row .kpi-off { color: #4b5563; }
.kpi-row .kpi-more { color: #4b5563; }
@media (max-width: 900px) { .kpi-row { grid-template-columns: repeat(2, minmax(0, 1fr));
  gap: 0.6rem; } .kpi-row .kpi { padding: 0.55rem 0.7rem; } }
</style>"""


def _delta_class(c: Card) -> str:
    """good, bad or off: the colour st.metric gives the change (a leading minus is a fall)."""
    if c.delta_color == "off":
        return "off"
    fall = c.delta.startswith("-")
    return "bad" if fall == (c.delta_color == "normal") else "good"


def _card_html(c: Card) -> str:
    e = html.escape
    label = f'<div data-testid="stMetricLabel"><p>{e(c.label)}</p></div>'
    if c.help:
        label += f'<span class="kpi-help" title="{e(c.help)}" aria-label="{e(c.help)}">?</span>'
    delta = ""
    if c.delta:
        arrow = ""
        if c.delta_arrow != "off":
            arrow = "↓ " if c.delta.startswith("-") else "↑ "
        more = f' <span class="kpi-more">{e(c.description)}</span>' if c.description else ""
        delta = (
            f'<div class="kpi-delta kpi-{_delta_class(c)}" data-testid="stMetricDelta">'
            f"{arrow}{e(c.delta)}{more}</div>"
        )
    return (
        f'<div class="kpi" data-testid="stMetric" data-label="{e(c.label)}" '
        f'data-value="{e(c.value)}"><div class="kpi-label">{label}'
        f'</div><div class="kpi-value" data-testid="stMetricValue"><div>{e(c.value)}</div></div>'
        f"{delta}</div>"
    )


def cards_html(cards: list[Card], per_row: int = 4) -> str:
    """The cards as one HTML block (with CARDS_CSS) for st.html: `per_row` a row on a screen."""
    body = "".join(_card_html(c) for c in cards)
    return f'{CARDS_CSS}<div class="kpi-row" style="--kpi-n: {per_row}">{body}</div>'


def indicator_card(c: IndicatorCard) -> Card:
    """An indicator's card as a KPI card: its change is a phrase ("下降4.0%", no arrow) coloured
    by the news (change_sign), not by a sign, as st.metric drew it with delta_color normal
    (good), inverse (bad) or off."""
    color = {1: "normal", -1: "inverse"}.get(c.change_sign, "off")
    return Card(c.label, c.value, c.change, delta_color=color, help=c.target, delta_arrow="off",
                description=None)  # fmt: skip


def indicator_cards_html(cards: list[IndicatorCard], per_row: int = 4) -> str:
    """The indicators' cards as one HTML block (with CARDS_CSS), `per_row` a row."""
    return cards_html([indicator_card(c) for c in cards], per_row=per_row)
