"""督办: problems followed to closure — each problem's state as of a period, the overdue ones,
and the office's statistics (办结率, average days to closure, by type and by responsible unit).

A problem's state as of a period follows from its dates, so any period can be looked at: 已销号
once its 销号日期 has come, 已办结 once its 办结日期 has (or its 解决年月, for a problem closed
before anyone recorded the day), 办理中 once it was 交办, else 待交办. The stored 办理状态 is
the state today and agrees with the dates (core.ingest.validation checks it).

The day a period's figures stand at is the last day of its month, or today while that month
is not over: a deadline later this month has not passed yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.base import schema as S
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.store.portfolio import Portfolio

# Columns of the frames this module returns.
STATE = "截至报告期状态"  # the state as of the period (S.HANDLING_STATE is today's)
OPEN = "未办结"  # bool: not closed by the period's day
OVERDUE_DAYS = "超期天数"  # days past 办结时限 while open; 0 when not overdue
DAYS_TO_CLOSE = "办结用时(天)"  # from 交办 to 办结; NaN when either day is unknown
WAITED = "已等待(月)"  # months since it was raised, as of the period
COUNT = "问题数"
ASSIGNED = "已交办"
CLOSED = "已办结"
HANDLING = "办理中"
OVERDUE = "超期未办结"
RATE = "办结率"
MEAN_DAYS = "平均办结用时(天)"

# One entry of 办理情况: "2026-01-15 已组卷上报"; entries are joined by ";".
NOTE_SEPARATOR = ";"
_NOTE_START = re.compile(r"\s*;\s*(?=\d{4}-\d{2}-\d{2}\b)")
_NOTE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(.*)$")


def period_day(period: Period, today: dt.date | None = None) -> dt.date:
    """The day a period's figures stand at: its last day, or today while it is not over."""
    last = dt.date(period.year, period.month, calendar.monthrange(period.year, period.month)[1])
    return min(last, today or dt.date.today())


def notes(text: str) -> list[tuple[str, str]]:
    """办理情况 as (day, what) entries, oldest first; text without a day is one entry ("", text)."""
    out = []
    for part in _NOTE_START.split(text or ""):
        part = part.strip().strip(NOTE_SEPARATOR).strip()
        if not part:
            continue
        match = _NOTE.match(part)
        out.append((match.group(1), match.group(2).strip()) if match else ("", part))
    return out


def with_note(text: str, day: dt.date, what: str) -> str:
    """办理情况 with one more entry at the end, "YYYY-MM-DD what"."""
    entry = f"{day.isoformat()} {what.strip()}"
    return f"{text}{NOTE_SEPARATOR}{entry}" if text else entry


def latest_note(text: str) -> str:
    entries = notes(text)
    if not entries:
        return ""
    day, what = entries[-1]
    return f"{day} {what}".strip()


def states(problems: pd.DataFrame, period: Period, day: dt.date) -> pd.Series:
    """Each problem's state as of the period, from its dates (see the module docstring)."""
    iso = day.isoformat()
    cleared = (problems[S.CLEARED_ON] != "") & (problems[S.CLEARED_ON] <= iso)
    closed = ((problems[S.CLOSED_ON] != "") & (problems[S.CLOSED_ON] <= iso)) | (
        (problems[S.RESOLVED] != "") & (problems[S.RESOLVED] <= period.key)
    )
    assigned = (problems[S.ASSIGNED_ON] != "") & (problems[S.ASSIGNED_ON] <= iso)
    out = np.select(
        [cleared.to_numpy(), closed.to_numpy(), assigned.to_numpy()],
        [S.STATE_CLEARED, S.STATE_CLOSED, S.STATE_HANDLING],
        default=S.STATE_WAITING,
    )
    return pd.Series(out, index=problems.index, dtype=object)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    a = pd.to_datetime(later.where(later != ""), format="%Y-%m-%d")
    b = pd.to_datetime(earlier.where(earlier != ""), format="%Y-%m-%d")
    return (a - b).dt.days.astype(float)


def problems_as_of(p: Portfolio, scope: Scope, today: dt.date | None = None) -> pd.DataFrame:
    """The problems of projects in scope raised by the period, with their state then, whether
    they were open, days overdue, days to closure and months waited."""
    day = period_day(scope.period, today)
    return p.memo(("supervision", scope, day), lambda: _problems_as_of(p, scope, day)).copy()


def _problems_as_of(p: Portfolio, scope: Scope, day: dt.date) -> pd.DataFrame:
    pr = M.problems_at(p, scope)
    pr[STATE] = states(pr, scope.period, day)
    pr[OPEN] = ~pr[STATE].isin([S.STATE_CLOSED, S.STATE_CLEARED])
    late = (pd.Timestamp(day) - pd.to_datetime(pr[S.DEADLINE].where(pr[S.DEADLINE] != ""))).dt.days
    pr[OVERDUE_DAYS] = np.where(pr[OPEN] & (late > 0), late.fillna(0), 0).astype(int)
    closed_on = pr[S.CLOSED_ON].where(pr[S.CLOSED_ON] <= day.isoformat(), "")
    pr[DAYS_TO_CLOSE] = _days(closed_on, pr[S.ASSIGNED_ON])
    raised = pr[S.RAISED].str.slice(0, 4).astype(int) * 12 + pr[S.RAISED].str.slice(5, 7).astype(
        int
    )
    pr[WAITED] = scope.period.year * 12 + scope.period.month - raised
    return pr


@dataclass(frozen=True)
class Figures:
    """The 督办 figures of a scope as of a period."""

    registered: int  # problems raised by then
    assigned: int  # of them in someone's hands: 交办 by then, or closed (also without a 交办日期)
    closed: int  # 已办结 or 已销号 by then
    cleared: int  # of those, 已销号
    overdue: int  # open and past their deadline
    mean_days: float  # average days from 交办 to 办结 of those closed with both days known
    timed: int  # how many closures the average is over

    @property
    def rate(self) -> float:
        """办结率 = 已办结 ÷ (已办结 + 办理中): a 待交办 problem is nobody's yet. NaN when no
        problem was in anyone's hands."""
        return self.closed / self.assigned if self.assigned else float("nan")

    @property
    def handling(self) -> int:
        return self.assigned - self.closed

    @property
    def waiting(self) -> int:
        return self.registered - self.assigned


def figures(frame: pd.DataFrame) -> Figures:
    """The figures of problems_as_of's frame."""
    assigned = frame[STATE] != S.STATE_WAITING
    closed = assigned & ~frame[OPEN]
    timed = frame.loc[closed, DAYS_TO_CLOSE].dropna()
    return Figures(
        registered=len(frame),
        assigned=int(assigned.sum()),
        closed=int(closed.sum()),
        cleared=int((frame[STATE] == S.STATE_CLEARED).sum()),
        overdue=int((frame[OVERDUE_DAYS] > 0).sum()),
        mean_days=float(timed.mean()) if len(timed) else float("nan"),
        timed=len(timed),
    )


def statistics(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """办结率 and average days to closure by 问题类型 or 责任单位: one row per value with
    问题数, 已交办, 已办结, 办理中, 超期未办结, 办结率 (NaN without 交办) and the mean days."""
    rows = []
    for value, group in frame.groupby(by, sort=False):
        f = figures(group)
        rows.append((value or "未指定", f.registered, f.assigned, f.closed, f.handling, f.overdue,
                     f.rate, f.mean_days))  # fmt: skip
    out = pd.DataFrame(
        rows, columns=[by, COUNT, ASSIGNED, CLOSED, HANDLING, OVERDUE, RATE, MEAN_DAYS]
    )
    return out.sort_values([COUNT, by], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


def open_for_unit(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A responsible unit's open problems, the most overdue and the longest waiting first: the
    list of its 督办单."""
    mine = frame.loc[frame[OPEN] & (frame[S.RESPONSIBLE_UNIT] == unit)]
    order = mine.assign(_deadline=mine[S.DEADLINE].replace("", "9999"))
    return order.sort_values(
        [OVERDUE_DAYS, "_deadline", WAITED], ascending=[False, True, False], kind="mergesort"
    ).drop(columns="_deadline")


def open_by_unit(frame: pd.DataFrame) -> dict[str, int]:
    """How many open problems each responsible unit has, most first (then by name)."""
    mine = frame.loc[frame[OPEN] & (frame[S.RESPONSIBLE_UNIT] != "")]
    counts = mine[S.RESPONSIBLE_UNIT].value_counts()
    return {u: int(counts[u]) for u in sorted(counts.index, key=lambda u: (-counts[u], u))}


def units_with_open(frame: pd.DataFrame) -> list[str]:
    """The responsible units that have open problems, most open problems first."""
    return list(open_by_unit(frame))
