"""Each month's own amount, from what the monthly returns state, in whatever order they came.

A row of 月度进度 states an amount for the months from its 起始年月 (empty: the month alone) to
its 年月. A ledger's return states its year-to-date figure: the sum from January to its month.
The store keeps what each return says, and the months' own amounts are derived here when the
data are read, so that importing August before July, or a corrected July after August, gives
every month exactly its ledger's figure:

- rows of one project and year are taken in the order of their months;
- a row that covers the months from the first one on record (a year-to-date statement) while
  an earlier row is already on record restates the sum so far: its own part is its amount
  less the sum of the rows before it, and it covers the months after the row before it;
- any other row is the amount of its own months.

A year-to-date statement that follows months not known from January (a March return alone,
then 1-5月) puts what January and February added into April-May: the data say no more. A
falling year-to-date figure gives a negative month, as the ledger's own arithmetic does; the
import warns of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.base import schema as S


def month_amounts(monthly: pd.DataFrame) -> pd.DataFrame:
    """The rows with 本月完成投资 as each row's own months' amount (float) and 起始年月 as the
    months it covers; rows and their order as given. Needs 项目代码, 年月, 本月完成投资 and
    起始年月."""
    out = monthly.copy()
    amounts = pd.to_numeric(out[S.MONTH_COMPLETED], errors="coerce").fillna(0.0).astype(float)
    if out.empty:
        out[S.MONTH_COMPLETED] = amounts
        return out
    own, covers = _derive(out[S.CODE], out[S.MONTH], amounts, out[S.COVERS_FROM])
    out[S.MONTH_COMPLETED] = own
    out[S.COVERS_FROM] = covers
    return out


def year_to_date(monthly: pd.DataFrame) -> pd.Series:
    """Each row's year-to-date figure as the returns on record state it (the sum from the first
    month on record of its year to its month), by the same reading as month_amounts."""
    derived = month_amounts(monthly)
    year = derived[S.MONTH].str.slice(0, 4)
    order = np.lexsort((derived[S.MONTH].to_numpy(), year.to_numpy(), derived[S.CODE].to_numpy()))
    ordered = derived.iloc[order]
    running = ordered.groupby([ordered[S.CODE], year.iloc[order]], sort=False)[
        S.MONTH_COMPLETED
    ].cumsum()
    return running.reindex(derived.index)


def _derive(codes: pd.Series, months: pd.Series, amounts: pd.Series, covers: pd.Series):
    month_text = months.astype(str).to_numpy()
    start_text = np.where(covers.fillna("").astype(str).to_numpy() == "", month_text,
                          covers.fillna("").astype(str).to_numpy())  # fmt: skip
    order = np.lexsort((month_text, codes.astype(str).to_numpy()))
    code = codes.astype(str).to_numpy()[order]
    end = month_text[order]
    start = start_text[order]
    value = amounts.to_numpy()[order]
    year = np.array([m[:4] for m in end])
    new_group = np.ones(len(end), dtype=bool)
    new_group[1:] = (code[1:] != code[:-1]) | (year[1:] != year[:-1])
    group = np.cumsum(new_group)
    first_start = pd.Series(start).groupby(group).transform("min").to_numpy()
    previous_end = np.empty(len(end), dtype=object)
    previous_end[0] = ""
    previous_end[1:] = end[:-1]
    # A restatement of the sum so far: it covers from the first month on record, and a row
    # of its year is before it.
    restates = ~new_group & (start <= first_start) & (start <= previous_end.astype(str))
    segment = np.cumsum(new_group | restates)
    so_far = pd.Series(value).groupby(segment).cumsum().to_numpy()
    before = np.zeros(len(end))
    before[1:] = so_far[:-1]
    own = np.where(restates, value - before, value)
    cover = np.where(covers.fillna("").astype(str).to_numpy()[order] == "", "",
                     start)  # fmt: skip
    after_previous = np.array([_next_month(m) if m else "" for m in previous_end], dtype=object)
    cover = np.where(restates, np.where(after_previous < end, after_previous, ""), cover)
    out_own = np.empty(len(end))
    out_cover = np.empty(len(end), dtype=object)
    out_own[order] = own
    out_cover[order] = cover
    return (pd.Series(out_own, index=amounts.index),
            pd.Series(out_cover, index=amounts.index).astype(str))  # fmt: skip


def _next_month(key: str) -> str:
    year, month = int(key[:4]), int(key[5:7])
    return f"{year + month // 12}-{month % 12 + 1:02d}"
