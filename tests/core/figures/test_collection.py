"""报送情况 against a hand-worked month: February 2026, due on 3 March (the default deadline_day).

- 甲区 owes four returns and sent two (甲1, 甲2, on 4 March): 部分报送, past the deadline.
  甲5 has no plan this year, 甲6 was completed in January, 甲7 has not started, 甲8 was
  withdrawn from February: none of them owes a return.
- 乙区 owes two and sent both, 乙2 on 5 March: 已报送 late (逾期报送), complete on 5 March.
- 丙县 owes two and sent none: 未报送.
- 丁县 owes two and sent both on 1 March (丁2 as a 1-2月 sum): 已报送 on time; the office
  corrected 丁1 on 6 March, the county's last upload.

Each import is a real entry of a store (SQLite), its time fixed, so the upload times are read
from the row versions as the page reads them."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Period
from core.figures import collection as C
from core.figures.scope import Scope
from core.policy import roles
from core.policy.roles import Actor, Role
from core.store import versions
from core.store.versions import Store
from tests.cycle_kit import portfolio_of, project

FEB = Period(2026, 2)
SCOPE = Scope(FEB)
AFTER = dt.date(2026, 3, 10)

PROJECTS = [
    project("甲1", "甲区"), project("甲2", "甲区"), project("甲3", "甲区"), project("甲4", "甲区"),
    project("甲5", "甲区"),  # no plan this year
    project("甲6", "甲区", stage="竣工", **{S.ACTUAL_END: "2026-01"}),
    project("甲7", "甲区", stage="前期", **{S.ACTUAL_START: ""}),
    project("甲8", "甲区", **{S.WITHDRAWN: "2026-02"}),
    project("乙1", "乙区"), project("乙2", "乙区"),
    project("丙1", "丙县"), project("丙2", "丙县"),
    project("丁1", "丁县"), project("丁2", "丁县"),
]  # fmt: skip
PROJECTS = [{S.WITHDRAWN: "", S.ACTUAL_END: ""} | row for row in PROJECTS]  # every column filled
# Every project but 甲5 has a plan for 2026.
PLANNED = [row[S.CODE] for row in PROJECTS if row[S.CODE] != "甲5"]
PLANS = [(c, "2026", "12000") for c in PLANNED]
JANUARY = [(c, "2026-01", "1000") for c in PLANNED if c not in ("丁2", "甲7")]
# Who sent what for February, when: (time, account, [(code, amount, covers from)]).
UPLOADS = [
    (datetime(2026, 3, 1, 9, 30), "丁县填报", [("丁1", "800", ""), ("丁2", "1900", "2026-01")]),
    (datetime(2026, 3, 2, 16, 0), "乙区填报", [("乙1", "900", "")]),
    (datetime(2026, 3, 4, 11, 0), "甲区填报", [("甲1", "700", ""), ("甲2", "750", "")]),
    (datetime(2026, 3, 5, 8, 45), "乙区填报", [("乙2", "600", "")]),
    (datetime(2026, 3, 6, 10, 0), "王主任", [("丁1", "850", "")]),  # the office's correction
]


def _portfolio():
    february = {}
    for _, _, rows in UPLOADS:
        for code, amount, start in rows:
            february[code] = (code, "2026-02", amount, start)
    return portfolio_of(PROJECTS, PLANS, [*JANUARY, *february.values()])


def _tables(projects=(), plans=(), monthly=()) -> dict[str, pd.DataFrame]:
    out = {name: pd.DataFrame(columns=list(S.COLUMNS[name])) for name in S.TABLES}
    if projects:
        frame = pd.DataFrame(projects).reindex(columns=list(S.COLUMNS[S.PROJECTS]))
        out[S.PROJECTS] = frame.fillna("").astype(str)
    out[S.PLANS] = pd.DataFrame(
        [(c, y, p, "") for c, y, p in plans], columns=list(S.COLUMNS[S.PLANS])
    )
    out[S.MONTHLY] = pd.DataFrame(
        [(c, m, a, "", f) for c, m, a, f in monthly], columns=list(S.COLUMNS[S.MONTHLY])
    )
    return {k: v for k, v in out.items() if len(v)}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The month's entries in a store, each at its time and by its account."""
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('collection')}/s.sqlite")
    moments = iter([datetime(2026, 2, 5, 9, 0), *(t for t, _, _ in UPLOADS)])
    original = versions._now
    versions._now = lambda: next(moments)
    try:
        admin = Actor("王主任", Role.ADMIN, via=roles.VIA_CLI, origin="pytest")
        first = [(c, m, a, "") for c, m, a in JANUARY]
        s.import_batch(_tables(PROJECTS, PLANS, first), files=["台账.xlsx"], actor=admin)
        for _, user, rows in UPLOADS:
            monthly = [(c, "2026-02", a, f) for c, a, f in rows]
            s.import_batch(_tables(monthly=monthly), files=[f"{user}.xlsx"],
                           actor=Actor(user, Role.ADMIN, via=roles.VIA_CLI, origin="pytest"))  # fmt: skip
    finally:
        versions._now = original
    return s


def _row(c: C.Collection, county: str) -> dict:
    return c.counties.set_index(S.COUNTY).loc[county].to_dict()


def test_the_deadline_is_the_settings_day_of_the_next_month(monkeypatch):
    assert C.deadline_day() == 3
    assert C.deadline(FEB) == dt.date(2026, 3, 3)
    assert C.deadline(Period(2026, 12)) == dt.date(2027, 1, 3)
    monkeypatch.setattr(C, "deadline_day", lambda: 31)
    assert C.deadline(Period(2026, 1)) == dt.date(2026, 2, 28)  # the month's last day


def test_the_upload_record_is_read_from_the_row_versions(store):
    record = C.upload_record(store, FEB).set_index(S.CODE)
    assert sorted(record.index) == ["丁1", "丁2", "乙1", "乙2", "甲1", "甲2"]
    assert record.loc["丁1", C.FIRST_AT] == datetime(2026, 3, 1, 9, 30)  # first sent
    assert record.loc["丁1", C.LAST_AT] == datetime(2026, 3, 6, 10, 0)  # corrected since
    assert record.loc["丁1", C.LAST_USER] == "王主任"
    assert record.loc["乙2", C.FIRST_AT] == datetime(2026, 3, 5, 8, 45)
    assert C.upload_record(store, Period(2026, 4)).empty


def test_each_county_due_reported_missing_and_late(store):
    c = C.collection(_portfolio(), SCOPE, C.upload_record(store, FEB), today=AFTER)
    assert c.counties[S.COUNTY].tolist() == ["丁县", "丙县", "乙区", "甲区"]  # the data's order
    jia = _row(c, "甲区")
    assert (jia[C.DUE], jia[C.REPORTED], jia[C.MISSING]) == (4, 2, 2)
    assert (jia[C.STATE], jia[C.TIMELINESS], jia[C.LATE]) == (C.PARTLY, C.OVERDUE, True)
    assert (jia[C.LAST_AT], jia[C.LAST_BY]) == ("2026-03-04 11:00", "甲区填报")
    yi = _row(c, "乙区")
    assert (yi[C.DUE], yi[C.REPORTED], yi[C.STATE]) == (2, 2, C.ALL_IN)
    assert (yi[C.TIMELINESS], yi[C.LATE]) == (C.LATE_IN, True)
    assert yi[C.COMPLETED_AT] == "2026-03-05 08:45"
    bing = _row(c, "丙县")
    assert (bing[C.REPORTED], bing[C.STATE], bing[C.TIMELINESS]) == (0, C.NONE_IN, C.OVERDUE)
    assert (bing[C.LAST_AT], bing[C.LAST_BY]) == (C.NOT_KNOWN, C.NOT_KNOWN)
    ding = _row(c, "丁县")
    assert (ding[C.STATE], ding[C.TIMELINESS], ding[C.LATE]) == (C.ALL_IN, C.ON_TIME, False)
    assert ding[C.COMPLETED_AT] == "2026-03-01 09:30"
    assert (ding[C.LAST_AT], ding[C.LAST_BY]) == ("2026-03-06 10:00", "王主任")

    assert c.count_text() == "2/4个区县已报送"
    assert c.late_counties == ["丙县", "乙区", "甲区"]
    assert c.to_chase[S.COUNTY].tolist() == ["丙县", "甲区"]
    missing = c.missing[[S.COUNTY, S.CODE, C.LAST_RETURN]].values.tolist()
    assert missing == [["丙县", "丙1", "2026年1月"], ["丙县", "丙2", "2026年1月"],
                       ["甲区", "甲3", "2026年1月"], ["甲区", "甲4", "2026年1月"]]  # fmt: skip
    assert c.sentence() == (
        "2026年2月月度进度:2/4个区县已报送,应报项目10个,已报6个,未报4个。"
        "逾期未报齐2个区县:丙县、甲区。逾期报送1个区县:乙区。"
    )


def test_before_the_deadline_nobody_is_late_yet(store):
    c = C.collection(_portfolio(), SCOPE, C.upload_record(store, FEB), today=dt.date(2026, 3, 3))
    assert c.late_counties == ["乙区"]  # complete, but after the deadline (as the record says)
    assert _row(c, "甲区")[C.TIMELINESS] == C.NOT_YET
    assert _row(c, "丙县")[C.TIMELINESS] == C.NOT_YET
    assert c.sentence().endswith(
        "逾期报送1个区县:乙区。截止日期(2026年3月3日)未到,2个区县尚未报齐。"
    )


def test_without_upload_times_only_missing_returns_are_late():
    c = C.collection(_portfolio(), SCOPE, None, today=AFTER)
    assert not c.recorded
    assert _row(c, "乙区")[C.TIMELINESS] == C.NOT_KNOWN
    assert _row(c, "乙区")[C.COMPLETED_AT] == C.NOT_KNOWN
    assert c.late_counties == ["丙县", "甲区"]


def test_the_scope_selects_counties_and_an_empty_scope_has_none():
    one = C.collection(_portfolio(), Scope(FEB, counties=("甲区",)), None, today=AFTER)
    assert one.counties[S.COUNTY].tolist() == ["甲区"] and one.count_text() == "0/1个区县已报送"
    empty = C.collection(_portfolio(), Scope(FEB, sectors=("社会民生",)), None, today=AFTER)
    assert empty.counties.empty and empty.missing.empty
    assert empty.sentence() == "当前范围内没有2026年2月应报送月度进度的项目。"
