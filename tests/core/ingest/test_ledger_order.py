"""Monthly ledgers in any order, corrected months, and the file's own totals as checks.

Each month's ledger states its year-to-date figures (1-N月); the store keeps them as stated and
each month's own amount is derived when the data are read (core.store.returns). So the 24 orders
of four months give the same figures, and a corrected month changes that month and the next
month's own amount, nothing else.
"""

from __future__ import annotations

import itertools
import shutil

import pytest
from ledgers import WRITERS, monthly_ledger

from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.ingest import importing
from core.policy.roles import Actor, Role
from core.store import datasource
from core.store.versions import Store

ADMIN = Actor("王主任", Role.ADMIN)
# Year-to-date (万元) of each project at the end of each month, as the ledgers state them.
YTD = {
    1: {"东港大桥": 10, "城东 污水厂": 5, "城东学校": 0, "城西医院": 20, "城西公园": 4},
    2: {"东港大桥": 40, "城东 污水厂": 12, "城东学校": 0, "城西医院": 30, "城西公园": 9},
    3: {"东港大桥": 100, "城东 污水厂": 30, "城东学校": 6, "城西医院": 50, "城西公园": 20},
    4: {"东港大桥": 160, "城东 污水厂": 31, "城东学校": 6, "城西医院": 75, "城西公园": 26},
}


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    own = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, own)
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    counter = itertools.count()

    def make() -> Store:
        return Store(f"sqlite:///{tmp_path}/order{next(counter)}.sqlite")

    return make


def ledger(month: int, amounts: dict | None = None) -> tuple[str, bytes]:
    figures = {**YTD[month], **(amounts or {})}
    return f"临江市1-{month}月.xlsx", WRITERS["xlsx"](monthly_ledger(month, amounts=figures))


def put(store: Store, file: tuple[str, bytes]) -> importing.Report:
    upload = importing.inspect([file], store)
    for i, plan in enumerate(upload.plans):
        layout = importing.layouts.with_default(plan.layout, S.LEVEL, "市重点")
        upload = importing.with_plan(upload, i, layout=layout)
    report = importing.check(upload, store, actor=ADMIN)
    assert report.importable, [f.text() for f in report.errors]
    importing.commit(report, store, actor=ADMIN)
    return report


def figures(store: Store) -> dict[str, tuple[float, float]]:
    """Per month: (the city's year-to-date, the city's own amount of the month)."""
    p = datasource.load(store)
    out = {}
    for month in (1, 2, 3, 4):
        key = Period(2026, month).key
        own = p.monthly.loc[p.monthly[S.MONTH] == key, S.MONTH_COMPLETED].sum()
        out[key] = (round(float(p.ytd[key].sum()), 6), round(float(own), 6))
    return out


EXPECTED = {
    "2026-01": (39.0, 39.0),
    "2026-02": (91.0, 52.0),
    "2026-03": (206.0, 115.0),
    "2026-04": (298.0, 92.0),
}


@pytest.mark.parametrize("order", list(itertools.permutations((1, 2, 3, 4))),
                         ids=lambda o: "-".join(map(str, o)))  # fmt: skip
def test_every_order_of_four_months_gives_the_ledgers_figures(order, fresh):
    store = fresh()
    for month in order:
        put(store, ledger(month))
    assert figures(store) == EXPECTED


def test_a_corrected_month_changes_only_what_it_should(fresh):
    store = fresh()
    for month in (1, 2, 3, 4):
        put(store, ledger(month))
    before = figures(store)
    put(store, ledger(2, {"东港大桥": 50}))  # February corrected after April: +10 to date
    after = figures(store)
    assert after["2026-01"] == before["2026-01"]
    assert after["2026-02"] == (101.0, 62.0)  # February to date and its own amount
    assert after["2026-03"] == (206.0, 105.0)  # March's own amount takes the difference …
    assert after["2026-04"] == before["2026-04"]  # … and the later months stay


def test_an_earlier_month_after_a_later_one_is_said(fresh):
    store = fresh()
    put(store, ledger(4))
    upload = importing.inspect([ledger(3)], store)
    for i, plan in enumerate(upload.plans):
        layout = importing.layouts.with_default(plan.layout, S.LEVEL, "市重点")
        upload = importing.with_plan(upload, i, layout=layout)
    report = importing.check(upload, store, actor=ADMIN)
    assert report.changes.latest_stored == "2026-04"
    assert "早于已导入的最新报告期2026-04" in report.changes.summary()
    assert "其后各月的当月完成投资将按本期的累计数重新计算" in report.changes.summary()


def test_a_section_that_lost_a_row_is_a_finding_naming_it(fresh):
    """The ledger's own totals are checks: a project row removed (the 合计 row's amounts left as
    they were) is a finding on the 合计 row, with the stated and the summed amount."""
    from ledgers import Sheet

    sheet = monthly_ledger(3, amounts=YTD[3])
    rows = [r for r in sheet.rows if not (len(r) > 1 and r[1] == "城西公园")]
    store = fresh()
    upload = importing.inspect([("临江市1-3月.xlsx", WRITERS["xlsx"](Sheet(sheet.name, rows,
                                                                         sheet.merges)))], store)  # fmt: skip
    for i, plan in enumerate(upload.plans):
        layout = importing.layouts.with_default(plan.layout, S.LEVEL, "市重点")
        upload = importing.with_plan(upload, i, layout=layout)
    report = importing.check(upload, store, actor=ADMIN)
    found = [(f.row, f.message) for f in report.findings if "两者不一致" in f.message]
    assert (6, "“合计”行为206,其下各项目合计为186,两者不一致") in found, found
    assert report.importable  # a check, not a block: the rows are the data


def test_a_refused_import_leaves_settings_and_store_as_they_were(fresh):
    store = fresh()
    put(store, ledger(3))
    settings_before = settings.path().read_bytes()
    history = store.history()
    from ledgers import Sheet

    sheet = monthly_ledger(4, amounts=YTD[4])
    rows = [list(r) for r in sheet.rows]
    bridge = next(r for r in rows if len(r) > 1 and r[1] == "东港大桥")
    bridge[6] = "一百"  # no amount: an error, and nothing may be written
    bad = ("临江市1-4月.xlsx", WRITERS["xlsx"](Sheet(sheet.name, rows, sheet.merges)))
    upload = importing.inspect([bad], store)
    for i, plan in enumerate(upload.plans):
        layout = importing.layouts.with_default(plan.layout, S.LEVEL, "新级别")
        upload = importing.with_plan(upload, i, layout=layout)
    report = importing.check(upload, store, actor=ADMIN)
    assert not report.importable
    with pytest.raises(ValueError):
        importing.commit(report, store, actor=ADMIN)
    assert settings.path().read_bytes() == settings_before
    assert store.history() == history


def test_the_same_file_twice_is_said_and_writes_nothing(fresh):
    store = fresh()
    put(store, ledger(3))
    history = store.history()
    upload = importing.inspect([ledger(3)], store)
    for i, plan in enumerate(upload.plans):
        layout = importing.layouts.with_default(plan.layout, S.LEVEL, "市重点")
        upload = importing.with_plan(upload, i, layout=layout)
    report = importing.check(upload, store, actor=ADMIN)
    assert not report.importable
    assert any("完全相同" in f.message and "未写入任何数据" in f.message for f in report.findings)
    assert store.history() == history


def test_an_empty_template_says_so_before_asking_anything(fresh):
    from ledgers import Sheet

    sheet = monthly_ledger(3, amounts=YTD[3])
    header_end = next(i for i, r in enumerate(sheet.rows) if r and str(r[0]).startswith("合计"))
    empty = Sheet(sheet.name, sheet.rows[:header_end],
                  [m for m in sheet.merges if m[2] < header_end])  # fmt: skip
    store = fresh()
    upload = importing.inspect([("空模板.xlsx", WRITERS["xlsx"](empty))], store)
    assert upload.unsettled() == []  # nothing is asked of an empty template …
    report = importing.check(upload, store, actor=ADMIN)
    assert not report.importable  # … and it says what it is
    assert any("空白模板" in f.message for f in report.errors)
    assert store.current() is None
