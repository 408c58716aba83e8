"""The files of the month's collection: a county's pre-filled return (written, read back with
core.ingest.reading, filled in and imported by the county's reporter, after which 报送情况
counts the county as reported) and the 催报通知 (opened with python-docx) with its chat text."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from docx import Document

from core.base import schema as S
from core.base.periods import Period
from core.figures import collection as C
from core.figures.scope import Scope
from core.ingest import edits, importing, reading, workbook
from core.output import reminders, returns
from core.policy import roles
from core.policy.roles import Actor, Role
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN

FEB, MARCH = Period(2026, 2), Period(2026, 3)
AFTER = dt.date(2026, 3, 10)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The demo brought into a store, as an office trying the product."""
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('returns')}/s.sqlite")
    edits.import_demo(s, actor=ADMIN)
    return s


def test_a_pre_filled_return_carries_projects_and_plans_and_leaves_the_month_blank(demo):
    scope = Scope(MARCH)
    due = returns.open_projects(demo, scope, "城北区")
    assert len(due) == 6
    data = returns.return_bytes(demo, scope, "城北区", workbook.data_bytes)
    read = reading.read_upload([(returns.file_name("城北区", MARCH), data)])
    assert not read.problems and not read.ledgers
    tables = {t.table: t.frame for t in read.tables}
    assert tables[S.PROJECTS][S.CODE].tolist() == due[S.CODE].tolist()
    assert set(tables[S.PROJECTS][S.COUNTY]) == {"城北区"}
    assert tables[S.PROJECTS][S.NAME].tolist() == due[S.NAME].tolist()
    plans = tables[S.PLANS]
    assert len(plans) == 6 and {int(float(y)) for y in plans[S.YEAR]} == {2026}
    monthly = tables[S.MONTHLY]
    march = monthly.loc[monthly[S.MONTH].astype(str) == "2026-03"]
    assert len(march) == 6 and (march[S.MONTH_COMPLETED] == "").all()  # this month: blank
    assert len(monthly) == 6  # no other month: the stored returns are not sent back
    assert returns.file_name("城北区", MARCH) == "城北区_2026年3月月度进度报送表.xlsx"


def test_every_countys_return_in_one_zip(demo):
    scope = Scope(MARCH)  # nobody has reported March: every county's file
    with zipfile.ZipFile(io.BytesIO(returns.zip_bytes(demo, scope, workbook.data_bytes))) as z:
        names = z.namelist()
    assert len(names) == 10 and names[0] == returns.file_name(demo.counties[0], MARCH)


def test_a_month_partly_reported_gives_the_missing_projects_only(demo):
    scope = Scope(FEB)
    assert returns.counties_open(demo, scope) == ["城北区", "高新区", "白石县"]
    [missing] = returns.open_projects(demo, scope, "城北区")[S.NAME]
    assert missing == "城北区白鹭220千伏输变电工程"
    assert returns.open_projects(demo, scope, "城东区").empty


def test_the_filled_return_comes_back_through_the_ordinary_import(store):
    p = datasource.load(store)
    scope = Scope(MARCH, level=None)
    data = returns.return_bytes(p, scope, "城北区", workbook.data_bytes)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[S.MONTHLY]
    header = [c.value for c in ws[1]]
    amount, month = header.index(S.MONTH_COMPLETED), header.index(S.MONTH)
    for row in ws.iter_rows(min_row=2):
        if row[month].value == "2026-03":
            row[amount].value = 321.5  # the county fills this month's amounts
    out = io.BytesIO()
    wb.save(out)
    reporter = Actor("城北区填报", Role.REPORTER, ("城北区",), via=roles.VIA_CLI, origin="pytest")
    report = importing.check([("城北区.xlsx", out.getvalue())], store, actor=reporter)
    assert not report.errors, [f.text() for f in report.errors]
    batch = importing.commit(report, store, actor=reporter)
    due = len(returns.open_projects(p, scope, "城北区"))
    assert due == 9  # every level: nobody has reported March
    written = {t: n for t, n in batch.changes.items() if n != (0, 0)}
    assert written == {S.MONTHLY: (due, 0)}  # only the new month: the rest was unchanged
    after = datasource.load(store)
    c = C.collection(after, scope, C.upload_record(store, MARCH), today=AFTER)
    row = c.counties.set_index(S.COUNTY).loc["城北区"]
    assert row[C.STATE] == C.ALL_IN and row[C.LAST_BY] == "城北区填报"
    assert row[C.COMPLETED_AT].startswith(batch.created_at.strftime("%Y-%m-%d"))
    late = batch.created_at.date() > C.deadline(MARCH)  # the store's clock is the real one
    assert row[C.TIMELINESS] == (C.LATE_IN if late else C.ON_TIME)

    # What was carried over wrote nothing: last month's figures are as they were.
    def february(q):
        m = q.monthly.loc[q.monthly[S.MONTH] == "2026-02"]
        return m.set_index(S.CODE)[S.MONTH_COMPLETED].sort_index()

    assert february(after).to_dict() == february(p).to_dict()


def test_the_reminder_notice_and_its_chat_text(demo):
    c = C.collection(demo, Scope(FEB), None, today=AFTER)
    doc = Document(io.BytesIO(reminders.notice_docx(c, signed=AFTER)))
    lines = [p.text for p in doc.paragraphs]
    assert lines[0] == "关于催报2026年2月重大项目月度进度的通知"
    assert lines[1] == "城北区、高新区、白石县："
    assert "各区县应于每月3日前报送" in lines[2]
    assert "报送截止日期为2026年3月3日，已逾期7天" in lines[2]
    assert "（一）城北区：应报6个项目，已报5个，未报1个。" in lines
    assert len(doc.tables) == 3
    rows = [[cell.text for cell in r.cells] for r in doc.tables[0].rows]
    assert rows[0] == ["序号", "项目名称", "项目代码", "建设单位", "最近报送"]
    assert rows[1][1:3] == ["城北区白鹭220千伏输变电工程", "2504-990104-02-01-000101"]
    assert rows[1][4] == "2026年1月"
    assert lines[-2:] == ["示例市重大项目建设办公室", "2026年3月10日"]
    assert "— " in doc.sections[0].footer.paragraphs[0].text  # the page number

    text = reminders.chat_text(c)
    head = "【催报】2026年2月重大项目月度进度(报送截止日期为2026年3月3日,已逾期7天)"
    assert text.splitlines()[0] == head
    assert "1. 城北区:应报6个项目,已报5个,未报1个。未报:城北区白鹭220千伏输变电工程" in text
    assert "None" not in text and "nan" not in text


def test_a_month_all_reported_needs_no_reminder(demo):
    c = C.collection(demo, Scope(FEB, counties=("城东区",)), None, today=AFTER)
    lines = [p.text for p in Document(io.BytesIO(reminders.notice_docx(c))).paragraphs]
    assert "各区县均已报齐，无需催报。" in lines[2]
    assert reminders.chat_text(c).endswith("各区县均已报齐。")
