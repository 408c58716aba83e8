"""报送情况: the month's collection of returns — for a period and a scope, each county's projects
due to report, which of them reported and which not, the last upload, and the office's
deadline with the late counties marked.

A project is due to report for a month by the 未按时报送 rule of 预警 (core.figures.alerts:
an annual plan this year, started by the month, not completed before it; withdrawn projects
leave the scope from their month), and has reported when a return covers the month (its own,
or a sum of several months that includes it). Both are that rule's public helpers, so this page
and 预警 never disagree.

A county is 已报送 when every project it owes reported, 部分报送 when some did, 未报送 when
none did, and 无需报送 when it owes none. The deadline is the office's: `[collection]
deadline_day` of the month after the period (3: returns for February are due on 3 March; a day
beyond the month's end is its last day). A county is late when it completed its returns after
the deadline (逾期报送), or has not completed them and the deadline has passed (逾期未报).

When each return arrived is read from the store (`upload_record`): every row version of 月度进度
keeps the history entry that wrote it (`origin`), and the entries keep their time and account
(Store.history()). A project's return for the month arrived with the first entry that wrote a
row covering the month; the county's returns were complete when the last of its projects' did.
Data without a store (the demo, a data folder) have no upload times: lateness is then judged
for the missing returns only.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.figures import alerts as A
from core.figures import measures as M
from core.figures.scope import Scope
from core.store.portfolio import Portfolio
from core.store.versions import Store

SECTION = "collection"
DEFAULT_DEADLINE_DAY = 3  # data/settings.toml [collection] deadline_day

# A county's state for the month.
ALL_IN, PARTLY, NONE_IN, NOTHING_DUE = "已报送", "部分报送", "未报送", "无需报送"
# Against the deadline.
ON_TIME, LATE_IN, OVERDUE, NOT_YET = "按时报送", "逾期报送", "逾期未报", "未到截止日期"
NOT_KNOWN = "—"  # no upload time on record, or nothing due

# Columns of the county table (in the order shown).
DUE = "应报项目数"
REPORTED = "已报项目数"
MISSING = "未报项目数"
STATE = "报送状态"
TIMELINESS = "按期情况"
COMPLETED_AT = "报齐时间"
LAST_AT = "最近上传时间"
LAST_BY = "上传人"
LATE = "逾期"  # bool, not shown
COUNTY_COLUMNS = (S.COUNTY, DUE, REPORTED, MISSING, STATE, TIMELINESS, COMPLETED_AT, LAST_AT,
                  LAST_BY, LATE)  # fmt: skip
# Columns of the missing projects.
LAST_RETURN = "最近报送月份"
MISSING_COLUMNS = (S.COUNTY, S.CODE, S.NAME, S.SECTOR, S.LEVEL, S.OWNER, S.LEADER, LAST_RETURN)

# Columns of the upload record, one row per project with a return covering the period.
FIRST_AT, LAST_ENTRY, LAST_USER = "first_at", "last_entry", "last_user"
RECORD_COLUMNS = (S.CODE, FIRST_AT, LAST_ENTRY, LAST_AT, LAST_USER)


def deadline_day() -> int:
    """The office's day of the next month by which a month's returns are due."""
    value = settings.current().section(SECTION).get("deadline_day", DEFAULT_DEADLINE_DAY)
    return max(1, int(value))


def deadline(period: Period) -> dt.date:
    """The day the period's returns are due: deadline_day of the next month, or its last day."""
    following = period.shift(1)
    last = calendar.monthrange(following.year, following.month)[1]
    return dt.date(following.year, following.month, min(deadline_day(), last))


def deadline_sentence(period: Period) -> str:
    day = deadline(period)
    return f"报送截止日期为每月{deadline_day()}日,{period.label}的月度进度应于{_date(day)}前报送。"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _time(moment: dt.datetime | None) -> str:
    return NOT_KNOWN if moment is None or pd.isna(moment) else moment.strftime("%Y-%m-%d %H:%M")


# --- when the returns arrived (the store, read only) ------------------------------------------


def empty_record() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RECORD_COLUMNS})


def upload_record(store: Store, period: Period) -> pd.DataFrame:
    """Per project with a current return covering the period: when its first return for the
    month arrived (FIRST_AT) and the entry, time and account of the last one that wrote it.

    Read from the row versions of 月度进度: a version's `origin` is the entry that wrote its
    values (a roll-back re-opens versions with their origin), and Store.history() gives each
    entry's time and account."""
    table = S.STORE_TABLES[S.MONTHLY]
    code, month = S.STORE_COLUMNS[S.CODE], S.STORE_COLUMNS[S.MONTH]
    covers = S.STORE_COLUMNS[S.COVERS_FROM]
    sql = sa.text(
        f"SELECT {code} AS code, origin, valid_to FROM {table} "
        f"WHERE {month} = :p OR ({covers} <> '' AND {covers} <= :p AND {month} > :p)"
    )
    with store.engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(sql, {"p": period.key}).all(),
                            columns=["code", "origin", "valid_to"])  # fmt: skip
    if rows.empty:
        return empty_record()
    entries = {b.id: b for b in store.history()}
    current = rows.loc[rows["valid_to"].isna()]
    if current.empty:
        return empty_record()
    first = rows.loc[rows["code"].isin(current["code"])].groupby("code")["origin"].min()
    last = current.groupby("code")["origin"].max()
    out = pd.DataFrame({S.CODE: last.index})
    out[FIRST_AT] = [_at(entries, first[c]) for c in out[S.CODE]]
    out[LAST_ENTRY] = [int(last[c]) for c in out[S.CODE]]
    out[LAST_AT] = [_at(entries, last[c]) for c in out[S.CODE]]
    out[LAST_USER] = [entries[int(last[c])].user if int(last[c]) in entries else ""
                      for c in out[S.CODE]]  # fmt: skip
    return out


def _at(entries: dict, entry) -> dt.datetime | None:
    batch = entries.get(int(entry))
    return None if batch is None else batch.created_at


# --- the collection --------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    period: Period
    deadline: dt.date
    today: dt.date
    counties: pd.DataFrame  # COUNTY_COLUMNS, one row per county with projects in scope
    missing: pd.DataFrame  # MISSING_COLUMNS, the projects due that have not reported
    recorded: bool  # whether upload times were known (data from the store)

    @property
    def due_counties(self) -> pd.DataFrame:
        return self.counties.loc[self.counties[DUE] > 0]

    @property
    def reported_counties(self) -> list[str]:
        return self.counties.loc[self.counties[STATE] == ALL_IN, S.COUNTY].tolist()

    @property
    def late_counties(self) -> list[str]:
        return self.counties.loc[self.counties[LATE], S.COUNTY].tolist()

    @property
    def to_chase(self) -> pd.DataFrame:
        """The counties with returns still missing (past the deadline: the late ones)."""
        return self.counties.loc[self.counties[MISSING] > 0]

    @property
    def overdue(self) -> bool:
        return self.today > self.deadline

    def missing_of(self, county: str) -> pd.DataFrame:
        return self.missing.loc[self.missing[S.COUNTY] == county]

    def count_text(self) -> str:
        """8/10个区县已报送 — the counties that owe returns and have completed them."""
        return f"{len(self.reported_counties)}/{len(self.due_counties)}个区县已报送"

    def count_sentence(self) -> str:
        """The overview's line: 7/10个区县已报送2026年2月月度进度,城北区、高新区尚未报齐。"""
        text = f"{self.count_text()}{self.period.label}月度进度"
        behind = self.to_chase[S.COUNTY].tolist()
        if behind:
            more = f"等{len(behind)}个区县" if len(behind) > 3 else ""
            text += f",{'、'.join(behind[:3])}{more}尚未报齐"
        return text + "。"

    def sentence(self) -> str:
        """The month in one sentence, as the page and the CLI state it."""
        due = self.due_counties
        if due.empty:
            return f"当前范围内没有{self.period.label}应报送月度进度的项目。"
        projects = int(due[DUE].sum())
        reported = int(due[REPORTED].sum())
        text = (f"{self.period.label}月度进度:{self.count_text()},"
                f"应报项目{projects}个,已报{reported}个,未报{projects - reported}个。")  # fmt: skip
        for state, words in ((OVERDUE, "逾期未报齐"), (LATE_IN, "逾期报送")):
            names = self.counties.loc[self.counties[TIMELINESS] == state, S.COUNTY].tolist()
            if names:
                text += f"{words}{len(names)}个区县:{'、'.join(names)}。"
        if not self.overdue and len(self.to_chase):
            text += f"截止日期({_date(self.deadline)})未到,{len(self.to_chase)}个区县尚未报齐。"
        return text


def collection(
    p: Portfolio,
    scope: Scope,
    record: pd.DataFrame | None = None,
    today: dt.date | None = None,
) -> Collection:
    """The collection of scope.period for the scope's projects; `record` is upload_record's
    (None: no upload times known), `today` the day lateness is judged (default: today)."""
    today = today or dt.date.today()
    if record is None:  # the overview's case: once per scope and day for every session
        key = ("collection", scope, today, deadline_day())
        return p.memo(key, lambda: _collection(p, scope, None, today))
    return _collection(p, scope, record, today)


def _collection(
    p: Portfolio, scope: Scope, record: pd.DataFrame | None, today: dt.date
) -> Collection:
    period = scope.period
    due_by = deadline(period)
    mask = M.in_scope(p, scope)
    projects = p.projects.loc[mask]
    due = A.due_to_report(p, projects, period) if len(projects) else np.zeros(0, dtype=bool)
    reported = A.reported_in(p, period)[mask] if len(projects) else np.zeros(0, dtype=bool)
    frame = projects.assign(_due=due, _reported=due & reported)
    recorded = record is not None
    record = empty_record() if record is None else record
    first_at = record.set_index(S.CODE)[FIRST_AT] if len(record) else pd.Series(dtype=object)

    rows = []
    present = set(frame[S.COUNTY].unique())  # once: not once per county (3 s at 100,000)
    counties = [c for c in p.counties if c in present]
    for county in counties:
        own = frame.loc[frame[S.COUNTY] == county]
        n_due, n_in = int(own["_due"].sum()), int(own["_reported"].sum())
        state = (NOTHING_DUE if n_due == 0 else ALL_IN if n_in == n_due
                 else PARTLY if n_in else NONE_IN)  # fmt: skip
        arrived = first_at.reindex(own.loc[own["_reported"], S.CODE])
        completed = None
        if state == ALL_IN and recorded and arrived.notna().all():
            completed = max(arrived)
        if state == NOTHING_DUE:
            timeliness = NOT_KNOWN
        elif state == ALL_IN:
            timeliness = (NOT_KNOWN if completed is None
                          else LATE_IN if completed.date() > due_by else ON_TIME)  # fmt: skip
        else:
            timeliness = OVERDUE if today > due_by else NOT_YET
        uploads = record.loc[record[S.CODE].isin(own[S.CODE])]
        last_at, last_by = None, ""
        if len(uploads):
            newest = uploads.sort_values(LAST_ENTRY).iloc[-1]
            last_at, last_by = newest[LAST_AT], newest[LAST_USER]
        rows.append({
            S.COUNTY: county, DUE: n_due, REPORTED: n_in, MISSING: n_due - n_in, STATE: state,
            TIMELINESS: timeliness, COMPLETED_AT: _time(completed), LAST_AT: _time(last_at),
            LAST_BY: last_by or NOT_KNOWN, LATE: timeliness in (LATE_IN, OVERDUE),
        })  # fmt: skip
    table = pd.DataFrame(rows, columns=list(COUNTY_COLUMNS))
    table[LATE] = table[LATE].astype(bool)

    absent = frame.loc[frame["_due"] & ~frame["_reported"]]
    missing = absent.reindex(columns=[c for c in MISSING_COLUMNS if c != LAST_RETURN]).fillna("")
    missing[LAST_RETURN] = _last_returns(p, absent[S.CODE], period)
    order = {c: i for i, c in enumerate(counties)}
    missing = missing.assign(_o=missing[S.COUNTY].map(order)).sort_values(["_o", S.CODE])
    missing = missing.drop(columns="_o").reset_index(drop=True)
    return Collection(period, due_by, today, table, missing, recorded)


def _last_returns(p: Portfolio, codes: pd.Series, period: Period) -> list[str]:
    """Each project's latest month with a return before the period, in words ("—": none)."""

    def compute() -> pd.Series:  # once per period for every scope and session
        m = p.monthly
        return m.loc[m[S.MONTH] < period.key].groupby(S.CODE)[S.MONTH].max()

    latest = p.memo(("latest_return_before", period), compute)
    return [Period.parse(latest[c]).label if c in latest.index else NOT_KNOWN for c in codes]


# --- the 在线填报 form (app_pages/filling.py, core.ingest.edits.check_return) -----------------

# Columns of the form, in the order shown: what is carried over (read only), then what the
# county enters — the month's amount or the year to date (one or the other), 形象进度 and a
# problem met — and the check's findings of the row.
BEFORE = "上月末本年累计(万元)"  # the year to date up to last month, as the returns on record say
LAST_TEXT = "上月形象进度"
NEW_PROBLEM = "新发现问题"
CHECKED = "检查意见"
FORM_CARRIED = (S.CODE, S.NAME, S.ANNUAL_PLAN, BEFORE, LAST_TEXT)
FORM_ENTERED = (S.MONTH_COMPLETED, S.MONTH_CUMULATIVE, S.PROGRESS_TEXT, NEW_PROBLEM)
FORM_COLUMNS = (*FORM_CARRIED, *FORM_ENTERED)
DERIVED = "推算"  # the other of the two amounts, worked out from the one entered


def _number(value) -> float | None:
    try:
        x = float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def derived_text(before: float, amount, to_date) -> str:
    """The amount not entered, from the one entered and the year to date up to last month:
    本年累计12,000 from 本月642.69, or 本月642.69 from 本年累计12,000 ("" when neither)."""
    a, t = _number(amount), _number(to_date)
    if a is not None and t is None:
        return f"本年累计{_amount(before + a)}"
    if t is not None and a is None:
        return f"本月{_amount(t - before)}"
    return ""


def _amount(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def form_projects(p: Portfolio, period: Period, county: str) -> pd.DataFrame:
    """The county's projects that owe the period's return (every level; withdrawn ones left
    out from their month), in the list's order: the rows of its form."""
    scope = Scope(period, counties=(county,), level=None)
    projects = p.projects.loc[M.in_scope(p, scope)]
    projects = projects.loc[projects[S.COUNTY] == county]
    if projects.empty:
        return projects
    return projects.loc[A.due_to_report(p, projects, period)]


def form_rows(p: Portfolio, period: Period, county: str) -> pd.DataFrame:
    """The county's form for the period, pre-filled: each project's name, this year's plan, the
    year to date up to last month and last month's 形象进度; the month's own figures blank, or
    as on record where the month was reported already (a correction)."""
    projects = form_projects(p, period, county)
    codes = projects[S.CODE].tolist()
    m = p.monthly.loc[p.monthly[S.CODE].isin(codes)]
    year = m.loc[m[S.MONTH].str.startswith(f"{period.year}-")]
    before = year.loc[year[S.MONTH] < period.key].groupby(S.CODE)[S.MONTH_COMPLETED].sum()
    earlier = m.loc[m[S.MONTH] < period.key].sort_values(S.MONTH)
    words = earlier.loc[earlier[S.PROGRESS_TEXT] != ""].groupby(S.CODE)[S.PROGRESS_TEXT].last()
    this = m.loc[m[S.MONTH] == period.key].drop_duplicates(S.CODE).set_index(S.CODE)
    plans = p.plans.loc[p.plans[S.YEAR] == period.year].drop_duplicates(S.CODE)
    plan = plans.set_index(S.CODE)[S.ANNUAL_PLAN]
    rows = []
    for code, name in zip(codes, projects[S.NAME], strict=True):
        so_far = round(float(before.get(code, 0.0)), 2)
        own = this[S.MONTH_COMPLETED].get(code) if code in this.index else None
        rows.append({
            S.CODE: code, S.NAME: name, S.ANNUAL_PLAN: float(plan.get(code, 0.0)),
            BEFORE: so_far, LAST_TEXT: words.get(code, ""),
            S.MONTH_COMPLETED: None if own is None else round(float(own), 2),
            S.MONTH_CUMULATIVE: None if own is None else round(so_far + float(own), 2),
            S.PROGRESS_TEXT: this[S.PROGRESS_TEXT].get(code, "") if code in this.index else "",
            NEW_PROBLEM: "",
        })  # fmt: skip
    return pd.DataFrame(rows, columns=list(FORM_COLUMNS))
