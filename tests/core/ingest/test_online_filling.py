"""在线填报: a county reporter's form for the month — pre-filled with last month's figures,
checked like an upload (a falling year to date, a negative amount, a missing 形象进度 where the
office requires it, the two amounts disagreeing), each finding on its row and column; a draft
kept and taken up again; the submission one batch that history lists and roll-back undoes, after
which 报送情况 counts the county as reported; and a crafted call for another county refused in
core. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Period
from core.figures import collection as C
from core.figures.scope import Scope
from core.ingest import edits
from core.policy import roles
from core.policy.roles import Role
from core.store import audit, datasource, drafts
from core.store.versions import Store
from tests.access_kit import ADMIN, account

MARCH = Period(2026, 3)
AFTER = dt.date(2026, 3, 10)
# The first project of 城北区's form (data/demo): January 5110.79 and February 6246.52 万元.
FIRST = "2412-990104-01-01-000004"


@pytest.fixture
def store(url):
    s = Store(url)
    edits.import_demo(s, actor=ADMIN)
    yield s
    s.close()


@pytest.fixture
def reporter(store):
    return account(store, "城北区填报员", Role.REPORTER, ("城北区",))


def form(store: Store) -> pd.DataFrame:
    return C.form_rows(datasource.load(store), MARCH, "城北区")


def test_the_form_is_pre_filled_with_last_months_figures(store):
    f = form(store)
    assert len(f) == 9  # 城北区's projects owing March, every level
    first = f.iloc[0]
    assert first[S.CODE] == FIRST
    assert first[C.BEFORE] == pytest.approx(5110.79 + 6246.52)  # 11357.31
    assert first[C.LAST_TEXT] == "主体结构施工"
    assert first[S.ANNUAL_PLAN] == pytest.approx(87837.63)
    assert first[S.MONTH_COMPLETED] is None and first[S.PROGRESS_TEXT] == ""


def test_each_finding_names_its_row_and_column(store, reporter, monkeypatch, tmp_path):
    f = form(store)
    f.loc[0, S.MONTH_CUMULATIVE] = 10000  # below 11357.31 up to February: falls
    f.loc[1, S.MONTH_COMPLETED] = -5  # negative
    f.loc[2, [S.MONTH_COMPLETED, S.MONTH_CUMULATIVE]] = [100, 8486.78 + 150]  # disagree
    report = edits.check_return(store, store.version(), "城北区", MARCH, f.iloc[:3],
                                actor=reporter, final=False)  # fmt: skip
    found = {(x.level, x.row, x.column): x.message for x in report.findings}
    assert found[("警告", 1, S.MONTH_CUMULATIVE)].startswith("累计完成投资比2026-02的11357.31少")
    assert found[("错误", 2, S.MONTH_COMPLETED)] == "金额不能为负数"
    assert found[("错误", 3, S.MONTH_CUMULATIVE)] == (
        "与本月完成投资不一致:上月末本年累计8,486.78加本月100应为8,586.78;请只填其中一项或改正"
    )
    assert len(report.findings) == 3 and not report.importable

    # A submission needs every row's amount; the office may require 形象进度 too.
    own = tmp_path / "settings.toml"
    own.write_text("[collection]\nrequire_progress_text = true\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFING_SETTINGS", str(own))
    f = form(store)
    f.loc[0, S.MONTH_COMPLETED] = 500
    report = edits.check_return(store, store.version(), "城北区", MARCH, f, actor=reporter)
    errors = {(x.row, x.column): x.message for x in report.errors}
    assert errors[(1, S.PROGRESS_TEXT)] == "本办要求每月填写形象进度,不能为空"
    assert errors[(2, S.MONTH_COMPLETED)] == f"请填写本月完成投资或{S.MONTH_CUMULATIVE}"
    assert len(errors) == 9  # row 1's words, rows 2-9's amounts


def test_a_draft_is_kept_and_the_submission_is_one_batch(store, reporter):
    p = datasource.load(store)
    f = form(store)
    f.loc[0, S.MONTH_CUMULATIVE] = 12000  # the year to date: March is 12000 - 11357.31
    f.loc[0, C.NEW_PROBLEM] = "用地指标未落实"
    draft = drafts.save(store, "城北区", MARCH.key, f.to_dict("records"), actor=reporter)
    assert not draft.submitted and len(store.history()) == 1  # a draft writes no data
    again = drafts.get(store, "城北区", MARCH.key, actor=reporter)
    assert again.rows[0][S.MONTH_CUMULATIVE] == 12000 and again.user == "城北区填报员"
    taken_up = pd.DataFrame(again.rows)
    taken_up[S.MONTH_COMPLETED] = taken_up[S.MONTH_COMPLETED].astype(object)
    taken_up.loc[1:, S.MONTH_COMPLETED] = 100.5
    taken_up.loc[1:, S.PROGRESS_TEXT] = "主体施工"
    report = edits.check_return(store, store.version(), "城北区", MARCH, taken_up,
                                actor=reporter)  # fmt: skip
    assert report.errors == [], [x.text() for x in report.errors]
    batch = edits.submit_return(report, store, "城北区", MARCH, taken_up, actor=reporter)
    assert batch.user == "城北区填报员" and batch.files == ()
    assert batch.note == "在线填报:城北区2026年3月月度进度9个项目"
    assert batch.changes[S.MONTHLY] == (9, 0) and batch.changes[S.PROBLEMS] == (1, 0)
    assert drafts.get(store, "城北区", MARCH.key, actor=reporter).batch_id == batch.id
    trail = [e for e in audit.entries(store) if e.user == "城北区填报员"]
    assert trail and trail[0].action == audit.IMPORT and "在线填报" in trail[0].detail

    after = datasource.load(store)
    march = after.monthly.loc[after.monthly[S.MONTH] == "2026-03"].set_index(S.CODE)
    assert march.loc[FIRST, S.MONTH_COMPLETED] == pytest.approx(12000 - 11357.31)
    problems = after.problems.loc[after.problems[S.CODE] == FIRST]
    assert "用地指标未落实" in problems[S.PROBLEM_TEXT].tolist()
    scope = Scope(MARCH, level=None)
    c = C.collection(after, scope, C.upload_record(store, MARCH), today=AFTER)
    row = c.counties.set_index(S.COUNTY).loc["城北区"]
    assert (row[C.STATE], row[C.REPORTED], row[C.LAST_BY]) == (C.ALL_IN, 9, "城北区填报员")

    store.rollback(batch.id - 1, "填错了", actor=ADMIN)  # roll-back undoes it whole
    back = datasource.load(store)
    assert (back.monthly[S.MONTH] == "2026-03").sum() == (p.monthly[S.MONTH] == "2026-03").sum()


def test_another_countys_form_is_refused_in_core(store, reporter):
    other = C.form_rows(datasource.load(store), MARCH, "城东区")
    other[S.MONTH_COMPLETED] = 1.0
    seen = store.version()
    with pytest.raises(roles.Refused, match="只能填报城北区的项目,不能填报城东区的项目"):
        edits.check_return(store, seen, "城东区", MARCH, other, actor=reporter)
    with pytest.raises(roles.Refused, match="不属于城北区的项目代码"):  # its own county's name
        edits.check_return(store, seen, "城北区", MARCH, other, actor=reporter)
    with pytest.raises(roles.Refused):
        drafts.save(store, "城东区", MARCH.key, other.to_dict("records"), actor=reporter)
    with pytest.raises(roles.Refused):
        drafts.get(store, "城东区", MARCH.key, actor=reporter)
    viewer = account(store, "查看员", Role.VIEWER)
    with pytest.raises(roles.Refused):
        edits.check_return(store, seen, "城北区", MARCH, form(store), actor=viewer)
    # An admin may enter any county's form.
    report = edits.check_return(store, seen, "城东区", MARCH, other, actor=ADMIN)
    assert report.errors == []
    assert len(store.history()) == 1  # nothing was written
