"""The loaded data set: the tables of core.base.schema and the boundaries, typed and checked, with
a version key."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from io import StringIO
from pathlib import Path

import pandas as pd

from core import ROOT
from core.base import schema as S
from core.base import settings
from core.base.geo import Boundaries, load_boundaries
from core.base.memo import Memo
from core.base.periods import Period
from core.store import returns

DEMO_SOURCE = "示例数据(示例市,虚构)"  # how every page and the CLI name the demo
DEMO_DIR = ROOT / "data" / "demo"
_ENCODINGS = ("utf-8-sig", "gb18030")
# A month counts as reported when at least half as many projects reported for it as for the
# month with most returns: a county's early return of next month does not make it the default.
MOST_REPORTED = 0.5


class DataError(ValueError):
    """A file that cannot be read as the data model; the message says where and what, in Chinese."""


@dataclass(frozen=True, eq=False)
class Portfolio:
    projects: pd.DataFrame
    plans: pd.DataFrame
    monthly: pd.DataFrame
    funding: pd.DataFrame
    problems: pd.DataFrame
    indicators: pd.DataFrame
    milestones: pd.DataFrame
    exemptions: pd.DataFrame
    boundaries: Boundaries
    source: str  # what the pages say the data is, e.g. "示例数据(示例市)"
    version: str  # changes whenever any input byte changes: the cache key
    is_demo: bool = False
    # Results already computed for this data, e.g. each scope's project table or a chart: a
    # Portfolio never changes and is shared by every session of the process, so a filter change
    # back and forth, two pages on one scope, or thirty sessions on one scope compute once.
    _memo: Memo = field(default_factory=Memo, repr=False, compare=False)
    # Each project's monthly plan (core.store.month_plans.COLUMNS), set where the data set is
    # loaded (core.store.datasource.load): what 序时进度 by the projects' own plans measures
    # against. None: the data set has no monthly plans. A part of the data set, not of the
    # memo, which may evict what it holds.
    month_plans: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    def with_tables(self, **tables: pd.DataFrame) -> Portfolio:
        """The same data set with some tables replaced, and none of the results computed for
        this one (a memo of its own)."""
        return dataclasses.replace(self, _memo=Memo(), **tables)

    def memo(self, key, compute):
        """`compute()`, once per key for every session of the process (core.base.memo), and
        per state of the settings files: a result that reads a threshold, a rule or the
        published decimals is computed again when the office changes its settings (the memo's
        keys are `(key, settings stamp)`)."""
        return self._memo.get((key, settings.stamp()), compute)

    @property
    def has_returns(self) -> bool:
        """Whether any 月度进度 is loaded: a first import may be the project list (and plans)
        alone, and its pages show the list while those that measure returns say they are
        missing."""
        return not self.monthly.empty

    def period_note(self) -> str | None:
        """How the period was settled when there are no returns (None when there are)."""
        if self.has_returns:
            return None
        return (
            f"尚无月度进度,报告期按{self.latest_period.label}"
            "(年度计划所在年份中数据读入时的当月;计划年份已过则取12月)。"
        )

    @cached_property
    def ytd(self) -> pd.DataFrame:
        """Year-to-date completed investment: one row per project code, one column per month
        ("2026-02") from the first return to the latest; each year starts again at January."""
        m = self.monthly
        if m.empty:  # a project list without returns: nothing completed in its period
            codes = pd.Index(self.projects[S.CODE].unique(), name=S.CODE)
            return pd.DataFrame(0.0, index=codes, columns=[self.latest_period.key])
        wide = m.pivot_table(index=S.CODE, columns=S.MONTH, values=S.MONTH_COMPLETED,
                             aggfunc="sum", fill_value=0.0)  # fmt: skip
        first, last = Period.parse(m[S.MONTH].min()), Period.parse(m[S.MONTH].max())
        months = [first.shift(k).key for k in range((last.year - first.year) * 12
                                                      + last.month - first.month + 1)]  # fmt: skip
        wide = wide.reindex(columns=months, fill_value=0.0).astype(float)
        years = [k[:4] for k in months]
        return wide.T.groupby(years, sort=False).cumsum().T

    @cached_property
    def gaps(self) -> pd.DataFrame:
        """Months whose year-to-date figure is unknown: (code, start, end) where an amount
        covers start..end and the months from start up to (not including) end are known only
        as part of that sum — the first ledger of a year states 1-N月 alone."""
        m = self.monthly
        covered = m.loc[m[S.COVERS_FROM] != "", [S.CODE, S.COVERS_FROM, S.MONTH]]
        return covered.rename(columns={S.COVERS_FROM: "start", S.MONTH: "end"}).reset_index(
            drop=True
        )

    @cached_property
    def plan_by_year(self) -> pd.DataFrame:
        """Annual plans: one row per project code, one column per year (int)."""
        return self.plans.pivot_table(index=S.CODE, columns=S.YEAR, values=S.ANNUAL_PLAN,
                                      aggfunc="sum", fill_value=0.0).astype(float)  # fmt: skip

    @cached_property
    def latest_period(self) -> Period:
        """The period views open on: the latest month for which most projects have reported.
        One early return of next month (or a stray row) does not move every page onto it.
        Without any return: period_without_returns."""
        if self.monthly.empty:
            return period_without_returns(self.plans)
        counts = self.monthly.groupby(S.MONTH)[S.CODE].nunique()
        enough = counts[counts >= counts.max() * MOST_REPORTED]
        return Period.parse(enough.index.max())

    def periods(self) -> list[Period]:
        """Every month with returns, newest first: the choices of the 报告期 filter."""
        return list(self._periods)

    @cached_property
    def _periods(self) -> tuple[Period, ...]:
        if self.monthly.empty:
            return (self.latest_period,)
        return tuple(Period.parse(m) for m in sorted(self.monthly[S.MONTH].unique(), reverse=True))

    @cached_property
    def counties(self) -> list[str]:
        """Counties of the boundary file, then any the project list names beyond them."""
        names = list(self.boundaries.names)
        extra = sorted(set(self.projects[S.COUNTY]) - set(names))
        return names + extra

    @cached_property
    def levels(self) -> list[str]:
        """The office's levels, then any the project list names beyond them."""
        own = list(settings.current().levels)
        return own + sorted(set(self.projects[S.LEVEL]) - set(own) - {""})

    @cached_property
    def sectors(self) -> list[str]:
        present = set(self.projects[S.SECTOR])
        return [s for s in settings.current().sectors if s in present] + sorted(
            present - set(settings.current().sectors)
        )


def period_without_returns(plans: pd.DataFrame, today: datetime.date | None = None) -> Period:
    """The period of a data set without any 月度进度: today's month in the latest year the
    annual plans name (December of a year that is over, January of one to come); today's month
    without plans. Settled when the data are read (a store's snapshot keeps it)."""
    today = today or datetime.date.today()
    years = pd.to_numeric(plans[S.YEAR], errors="coerce").dropna() if len(plans) else []
    year = int(max(years)) if len(years) else today.year
    if year < today.year:
        return Period(year, 12)
    if year > today.year:
        return Period(year, 1)
    return Period(year, today.month)


def read_csv(path: Path) -> pd.DataFrame:
    raw = Path(path).read_bytes()
    for encoding in _ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    raise DataError(f"{Path(path).name}:无法识别文件编码,请保存为UTF-8或GBK编码的CSV")


def _numbers(df: pd.DataFrame, table: str, columns: tuple[str, ...]) -> None:
    for col in columns:
        text = df[col].astype(str).str.replace(",", "", regex=False).str.strip()
        values = pd.to_numeric(text.where(text != "", None), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(
                f"{table}第{i + 2}行“{col}”列的值“{df[col].iloc[i]}”不是数字"
            )  # row 1 is the header, so data row i is Excel row i + 2
        df[col] = values.astype(float)


def with_all_columns(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The table's schema columns in order; an optional column the file lacks is empty."""
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in S.COLUMNS[table] if c not in df.columns and c not in S.OPTIONAL[table]]
    if missing:
        raise DataError(f"{table}缺少必需的列:{'、'.join(missing)}")
    return df.reindex(columns=list(S.COLUMNS[table]), fill_value="").copy()


def empty_table(table: str) -> pd.DataFrame:
    """A table with its schema columns and no rows (an optional table a data set lacks)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in S.COLUMNS[table]})


def from_tables(
    tables: dict[str, pd.DataFrame],
    boundaries: Boundaries,
    *,
    source: str,
    version: str,
    is_demo: bool = False,
) -> Portfolio:
    """Type the columns of already-read tables (all text) into a Portfolio."""
    t = {
        name: empty_table(name)
        if name not in tables and name in S.OPTIONAL_TABLES
        else with_all_columns(tables[name].astype(str).replace("nan", ""), name)
        for name in S.TABLES
    }
    _numbers(t[S.PROJECTS], S.PROJECTS, (S.TOTAL_INVESTMENT, S.LON, S.LAT, S.SUBSIDY_SOUGHT))
    _numbers(t[S.PLANS], S.PLANS, (S.YEAR, S.ANNUAL_PLAN))
    t[S.PLANS][S.YEAR] = t[S.PLANS][S.YEAR].astype(int)
    _numbers(t[S.MONTHLY], S.MONTHLY, (S.MONTH_COMPLETED,))
    # Year-to-date statements (a ledger's 1-N月) as each month's own amount (core.store.returns).
    t[S.MONTHLY] = returns.month_amounts(t[S.MONTHLY])
    _numbers(t[S.FUNDING], S.FUNDING, (S.FUNDING_AMOUNT,))
    _numbers(t[S.INDICATORS], S.INDICATORS, (S.VALUE, S.TARGET))
    monthly = t[S.MONTHLY]
    months = monthly[S.MONTH].astype(str)
    monthly["_year"] = months.str.split("-").str[0].astype(int)
    monthly["_month"] = months.str.split("-").str[1].astype(int)
    return Portfolio(
        projects=t[S.PROJECTS],
        plans=t[S.PLANS],
        monthly=monthly,
        funding=t[S.FUNDING],
        problems=t[S.PROBLEMS],
        indicators=t[S.INDICATORS],
        milestones=t[S.MILESTONES],
        exemptions=t[S.EXEMPTIONS],
        boundaries=boundaries,
        source=source,
        version=version,
        is_demo=is_demo,
    )


def folder_version(folder: Path) -> str:
    """A digest of every data file in the folder: equal digests mean equal data."""
    h = hashlib.sha256()
    for path in sorted(Path(folder).glob("*")):
        if path.suffix in (".csv", ".geojson", ".json"):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def load_folder(folder: Path = DEMO_DIR, *, source: str | None = None) -> Portfolio:
    """Load the CSV tables and the boundary file of a folder (the demo by default); an optional
    table (core.base.schema.OPTIONAL_TABLES) may be missing."""
    folder = Path(folder)
    tables = {}
    for name in S.TABLES:
        path = folder / f"{name}.csv"
        if path.exists():
            tables[name] = read_csv(path)
        elif name not in S.OPTIONAL_TABLES:
            raise DataError(f"数据目录{folder}中缺少文件{name}.csv")
    is_demo = folder.resolve() == DEMO_DIR
    return from_tables(
        tables,
        load_boundaries(folder / S.BOUNDARIES_FILE),
        source=source or (DEMO_SOURCE if is_demo else str(folder)),
        version=folder_version(folder),
        is_demo=is_demo,
    )
