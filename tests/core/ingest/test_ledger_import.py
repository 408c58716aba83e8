"""A ledger into the store: its projects, plans, year-to-date returns and problems as hand-worked
tables; next month's ledger (the month's amount is the difference, a missing project is kept and
flagged); layouts saved and applied by signature; views of one list; withdrawing a project; and
the CLI doing the same unattended once the layout is saved."""

import shutil
from pathlib import Path

import pytest
from ledgers import WRITERS, monthly_ledger, pairs_ledger

from core.__main__ import main
from core.base import schema as S
from core.base import settings
from core.base.periods import Period
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest import importing, layouts
from core.ingest.findings import WARNING
from core.ingest.layouts import Layouts
from core.ingest.ledger_tables import generated_code
from core.store import categories as office_categories
from core.store import returns
from core.store.versions import WITHDRAWAL, Store
from tests.access_kit import ADMIN

REALWORLD = Path(__file__).resolve().parents[4] / "shared" / "realworld"
needs_realworld = pytest.mark.skipif(
    not (REALWORLD / "南平_重点项目月报表(在建、筹建).xls").exists(),
    reason="../shared/realworld is absent (a user's clone of the product has no shared folder)",
)
NO_BOUNDARIES = "没有区县边界文件:地图只显示有坐标的项目点位,可在数据管理页上传区县边界(GeoJSON)"


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    """A settings file of this test's own, which no import may change."""
    path = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, path)
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(path))
    return path


@pytest.fixture
def store(tmp_path, own_settings, monkeypatch):
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    return Store(f"sqlite:///{tmp_path}/ledger.sqlite")


def imported(store: Store, files, **choices) -> importing.Report:
    """Inspect, settle every ledger with `choices` (period=…, and "表头=字段" pairs), check and
    commit; returns the report."""
    upload = importing.inspect(files, store)
    period = choices.pop("period", None)
    for i, plan in enumerate(upload.plans):
        layout = layouts.with_choices(plan.layout, plan.ledger, choices)
        upload = importing.with_plan(upload, i, layout=layout, period=period)
    report = importing.check(upload, store)
    assert report.importable, [line.text() for line in report.lines()]
    importing.commit(report, store, "台账", actor=ADMIN)
    return report


def table(store: Store, name: str, columns) -> list[tuple]:
    tables, _ = store.current_tables()
    return [tuple(r) for r in tables[name][list(columns)].itertuples(index=False)]


CODES = {n: generated_code(c, n) for n, c in (("东港大桥", "城东区"), ("城东污水厂", "城东区"),
         ("城东学校", "城东区"), ("城西医院", "城西区"), ("城西公园", "城西区"))}  # fmt: skip


@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_monthly_ledger_becomes_the_stores_tables(store, fmt):
    report = imported(store, [(f"临江市3月.{fmt}", WRITERS[fmt](monthly_ledger()))])
    assert [line.text() for line in report.lines()] == [f"【警告】{NO_BOUNDARIES}"]
    c = CODES
    assert table(store, S.PROJECTS, (S.CODE, S.NAME, S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE,
                                      S.TOTAL_INVESTMENT, S.OWNER, S.OWNER_PERSON, S.LEADER)) == [
        (c["东港大桥"], "东港大桥", "城东区", "未分类", "市重点", "在建", "1000", "市交通集团",
         "张三", "王副市长"),
        (c["城东污水厂"], "城东 污水厂", "城东区", "未分类", "市重点", "在建", "500", "城东水务公司",
         "李四", "刘副区长"),
        (c["城东学校"], "城东学校", "城东区", "未分类", "市重点", "前期", "300", "城东教育局",
         "赵五", "刘副区长"),
        (c["城西医院"], "城西医院", "城西区", "未分类", "市重点", "在建", "800", "城西卫健局",
         "钱六", "孙副区长"),
        (c["城西公园"], "城西公园", "城西区", "未分类", "市重点", "在建", "400", "城西园林处",
         "周七", "孙副区长"),
    ]  # fmt: skip
    assert table(store, S.PLANS, S.PLAN_COLUMNS) == [
        (c["东港大桥"], "2026", "400", "200"), (c["城东污水厂"], "2026", "200", "0"),
        (c["城东学校"], "2026", "100", "0"), (c["城西医院"], "2026", "300", "100"),
        (c["城西公园"], "2026", "100", "50"),
    ]  # fmt: skip
    # The first ledger of the year states 1-3月: one amount from January, never split.
    assert table(store, S.MONTHLY, S.MONTHLY_COLUMNS) == [
        (c["东港大桥"], "2026-03", "100", "主体施工", "2026-01"),
        (c["城东污水厂"], "2026-03", "30", "桩基", "2026-01"),
        (c["城东学校"], "2026-03", "0", "", "2026-01"),
        (c["城西医院"], "2026-03", "50", "装修", "2026-01"),
        (c["城西公园"], "2026-03", "20", "绿化", "2026-01"),
    ]  # fmt: skip
    problems = table(store, S.PROBLEMS, (S.CODE, S.PROBLEM_TYPE, S.PROBLEM_TEXT, S.RAISED,
                                         S.RESOLVED))  # fmt: skip
    assert problems == [(c["东港大桥"], "征迁", "征地拆迁未完成", "2026-03", ""),
                        (c["城东学校"], "用地", "用地指标未落实", "2026-03", "")]  # fmt: skip
    saved = Layouts(store).all()
    assert [lay.name for lay, _ in saved] == ["临江市重点项目(在建、预备)完成情况一览表"]


def test_next_months_ledger(store):
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    april = monthly_ledger(4, drop=("城西公园",), amounts={"东港大桥": 160, "城西医院": 40})
    upload = importing.inspect([("4月.xlsx", WRITERS["xlsx"](april))], store)
    (plan,) = upload.plans
    assert plan.saved and plan.period == Period(2026, 4)  # 1-3月 and 1-4月: the same layout
    assert plan.unsettled() == []
    report = importing.check(upload, store)
    changes = report.changes
    assert changes.month == "2026-04"
    assert changes.new_projects.empty
    assert changes.missing[S.NAME].tolist() == ["城西公园"]  # kept, flagged 未报送
    amounts = dict(zip(changes.amounts[S.NAME], changes.amounts[S.MONTH_COMPLETED], strict=True))
    assert amounts == {"东港大桥": "60", "城东 污水厂": "0", "城东学校": "0", "城西医院": "-10"}
    falling = [f for f in report.findings if f.column == S.MONTH_CUMULATIVE]
    assert [(f.level, f.row, f.message) for f in falling] == [
        (WARNING, 18, "累计完成投资比2026-03的50少,累计数不应减少;两月之间按负数计入")
    ]
    importing.commit(report, store, actor=ADMIN)
    c = CODES
    monthly = table(store, S.MONTHLY, (S.CODE, S.MONTH, S.MONTH_COMPLETED, S.COVERS_FROM))
    # Kept as the ledger states it (1-4月: 160) and read as April's own 60, a single month.
    assert (c["东港大桥"], "2026-04", "160", "2026-01") in monthly
    tables, _ = store.current_tables()
    own = returns.month_amounts(tables[S.MONTHLY]).set_index([S.CODE, S.MONTH])
    assert tuple(own.loc[(c["东港大桥"], "2026-04"), [S.MONTH_COMPLETED, S.COVERS_FROM]]) == (
        60, "")  # fmt: skip
    assert (c["城西公园"], "2026-03", "20", "2026-01") in monthly  # March kept
    assert not any(code == c["城西公园"] and month == "2026-04" for code, month, *_ in monthly)
    assert len(table(store, S.PROJECTS, (S.CODE,))) == 5
    problems = table(store, S.PROBLEMS, (S.CODE, S.RAISED, S.RESOLVED))
    assert problems == [(c["东港大桥"], "2026-03", ""), (c["城东学校"], "2026-03", "")]


def test_a_problem_the_next_ledger_no_longer_names_is_resolved(store):
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    april = monthly_ledger(4)
    for row in april.rows:
        if row[1] == "东港大桥":
            row[12] = ""  # the land problem is solved
    report = imported(store, [("4月.xlsx", WRITERS["xlsx"](april))])
    assert report.changes.resolved == 1
    problems = table(store, S.PROBLEMS, (S.CODE, S.PROBLEM_TEXT, S.RESOLVED))
    assert (CODES["东港大桥"], "征地拆迁未完成", "2026-04") in problems


def test_a_renamed_header_asks_again(store):
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    renamed = monthly_ledger(4, name_header="项目名")  # another header: another signature
    (plan,) = importing.inspect([("4月.xlsx", WRITERS["xlsx"](renamed))], store).plans
    assert not plan.saved


def test_per_month_pairs_in_yi_and_sectors_from_sections(store, own_settings):
    upload = importing.inspect([("龙海.xlsx", WRITERS["xlsx"](pairs_ledger()))], store)
    (plan,) = upload.plans
    assert plan.period == Period(2026, 3)  # the last month with amounts: the data say it
    assert plan.unsettled() == ["项目级别:台账中没有这一列,请指定全部项目的级别"]
    report = imported(store, [("龙海.xlsx", WRITERS["xlsx"](pairs_ledger()))],
                      period=Period(2026, 3), 项目级别="市重点")  # fmt: skip
    assert report.new_categories == {S.SECTOR: ["交通", "农业", "工业"]}
    assert settings.current().sectors[-3:] == ("交通", "农业", "工业")  # added to the office's list
    # … in the office's database, with the batch: the settings file is not written.
    assert own_settings.read_bytes() == settings.DEFAULTS.read_bytes()
    assert office_categories.added(store.engine) == {"sectors": ("交通", "农业", "工业")}
    code = {n: generated_code(c, n) for n, c in (("龙海化工园", "龙海市"),
            ("龙海港区道路", "龙海市"), ("漳浦茶园", "漳浦县"))}  # fmt: skip
    assert table(store, S.PROJECTS, (S.NAME, S.COUNTY, S.SECTOR, S.TOTAL_INVESTMENT,
                                      S.PLANNED_START, S.PLANNED_END, S.YEARS_TEXT)) == [
        ("龙海化工园", "龙海市", "工业", "15000", "2025-03", "2027-12", "2025.03-2027.12"),
        ("龙海港区道路", "龙海市", "交通", "8000", "2026-12", "2027-12", "2026-2027"),
        ("漳浦茶园", "漳浦县", "农业", "4000", "2026-12", "", "2026"),
    ]  # fmt: skip
    monthly = table(store, S.MONTHLY, S.MONTHLY_COLUMNS)
    assert [r for r in monthly if r[0] == code["龙海化工园"]] == [
        (code["龙海化工园"], "2026-01", "500", "开工准备", ""),
        (code["龙海化工园"], "2026-02", "1000", "土建", ""),
        (code["龙海化工园"], "2026-03", "1500", "主体施工", ""),
    ]
    assert table(store, S.PROBLEMS, (S.CODE, S.PROBLEM_TYPE)) == [(code["龙海化工园"], "用地"),
                                                                (code["漳浦茶园"], "资金")]  # fmt: skip


def test_views_of_one_list_give_county_and_sector(store):
    graded = monthly_ledger()
    by_sector = monthly_ledger()
    by_sector.name = "分行业"
    for row in by_sector.rows:
        if row[0] == "一、城东区(3项)":
            row[0] = "一、交通(3项)"
        if row[0] == "二、城西区(2项)":
            row[0] = "二、社会民生(2项)"
        if len(row) > 2 and row[1] in (
            "东港大桥",
            "城东 污水厂",
            "城东学校",
            "城西医院",
            "城西公园",
        ):
            row[2] = None  # this view says nothing of the county
    imported(store, [("两种排列.xlsx", WRITERS["xlsx"](graded, by_sector))])
    sectors = table(store, S.PROJECTS, (S.NAME, S.COUNTY, S.SECTOR))
    assert sectors == [("东港大桥", "城东区", "交通"), ("城东 污水厂", "城东区", "交通"),
                       ("城东学校", "城东区", "交通"), ("城西医院", "城西区", "社会民生"),
                       ("城西公园", "城西区", "社会民生")]  # fmt: skip


def test_codes_stay_when_a_name_gains_spaces_and_other_columns_are_kept(store):
    """A template import gives coordinates; next month's ledger (the name now with a space)
    updates the project and keeps them."""
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    code = CODES["东港大桥"]
    csv = f"项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,总投资(万元),经度,纬度\n" \
          f"{code},东港大桥,城东区,基础设施,市重点,在建,1000,119.3,31.6\n"  # fmt: skip
    report = importing.check([("项目清单.csv", csv.encode())], store)
    assert report.importable, [line.text() for line in report.lines()]
    importing.commit(report, store, actor=ADMIN)
    april = monthly_ledger(4)
    for row in april.rows:
        if row[1] == "东港大桥":
            row[1] = "东港 大桥"
    imported(store, [("4月.xlsx", WRITERS["xlsx"](april))])
    rows = table(store, S.PROJECTS, (S.CODE, S.NAME, S.SECTOR, S.LON, S.LAT))
    assert (code, "东港 大桥", "基础设施", "119.3", "31.6") in rows  # sector and place kept


def test_withdrawing_a_project_counts_it_until_the_month_before(store):
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    imported(store, [("4月.xlsx", WRITERS["xlsx"](monthly_ledger(4)))])
    batch = importing.withdraw(store, [CODES["城西公园"]], Period(2026, 4), "项目终止", actor=ADMIN)
    assert batch.kind == WITHDRAWAL and "调出1个项目(城西公园)" in batch.note
    from core.store import datasource

    p = datasource.load(store)
    april = Scope(Period(2026, 4), level=None)
    march = Scope(Period(2026, 3), level=None)
    assert CODES["城西公园"] not in set(M.projects_in_scope(p, april)[S.CODE])
    assert CODES["城西公园"] in set(M.projects_in_scope(p, march)[S.CODE])


def test_curves_do_not_split_a_sum_over_months(store):
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    imported(store, [("4月.xlsx", WRITERS["xlsx"](monthly_ledger(4, amounts={"东港大桥": 160})))])
    from core.store import datasource

    p = datasource.load(store)
    scope = Scope(Period(2026, 4), level=None)
    curve = M.cumulative_by_month(p, scope)
    this_year = curve.loc[curve[M.SERIES] == M.THIS_YEAR]
    assert this_year[M.MONTH_NO].tolist() == [3, 4]  # 1月 and 2月 are not invented
    assert this_year[M.VALUE].tolist() == [200.0, 260.0]
    assert M.coverage_note(p, p.projects[S.CODE], 2026) == (
        "2026年1-3月只报送了合计数(1-N月累计),曲线从3月开始,不按月拆分。"
    )
    last_month = M.year_figures(p, Scope(Period(2026, 2), level=None))
    assert not last_month.complete  # February is known only inside 1-3月


def test_the_cli_imports_next_month_unattended(store, tmp_path, capsys):
    db = ["--database", store.url]
    march, april = tmp_path / "3月.xls", tmp_path / "4月.xls"
    march.write_bytes(WRITERS["xls"](pairs_ledger()))
    assert main([*db, "import", str(march)]) == 1  # the level is not stated
    err = capsys.readouterr().err
    assert "项目级别" in err and "--level" in err
    assert store.current() is None
    assert main([*db, "import", str(march), "--period", "2026-03", "--level", "市重点",
                 "--layout-name", "龙海月报"]) == 0  # fmt: skip
    capsys.readouterr()
    april.write_bytes(WRITERS["xls"](pairs_ledger()))  # the same rows again: nothing to write
    assert main([*db, "import", str(april), "--period", "2026-04", "--note", "4月"]) == 1
    out = capsys.readouterr().out
    assert "按已保存的台账格式“龙海月报”读取,报告期2026年4月" in out  # read unattended …
    assert "与现有数据(第1批)完全相同" in out  # … and said to change nothing
    assert main([*db, "layouts"]) == 0
    assert "龙海月报" in capsys.readouterr().out


@needs_realworld
def test_the_real_templates_of_nanping_import(store):
    monthly = REALWORLD / "南平_重点项目月报表(在建、筹建).xls"
    imported(store, [(monthly.name, monthly.read_bytes())])
    projects = table(store, S.PROJECTS, (S.NAME, S.COUNTY, S.SECTOR, S.LEVEL, S.STAGE, S.OWNER,
                                         S.OWNER_PERSON, S.LEADER))  # fmt: skip
    assert projects == [
        ("武夷山至邵武高速公路", "市本级", "交通", "市重点", "在建", "福建武邵高速公路发展有限公司",
         "李介立", "南平市政府 张兆民"),
        ("顺昌环城路建设工程", "市本级", "交通", "市重点", "在建", "政和县医院", "汤文赋",
         "政和县政府 涂目弟"),
    ]  # fmt: skip
    assert table(store, S.MONTHLY, (S.MONTH, S.MONTH_COMPLETED, S.COVERS_FROM)) == [
        ("2010-03", "0", "2010-01"), ("2010-03", "0", "2010-01")]  # fmt: skip
    summary = REALWORLD / "南平_年度目标及形象进度完成情况汇总表.xls"
    report = imported(store, [(summary.name, summary.read_bytes())], period=Period(2010, 3),
                      G="不导入", C="不导入")  # fmt: skip
    assert report.changes.new_projects[S.NAME].tolist() == ["南三龙铁路南平段",
                                                            "武夷山东溪水库旅游综合开发项目"]  # fmt: skip
    assert len(table(store, S.PROJECTS, (S.CODE,))) == 4


def test_nothing_is_written_while_a_ledger_is_unsettled(store):
    upload = importing.inspect([("龙海.xlsx", WRITERS["xlsx"](pairs_ledger()))], store)
    report = importing.check(upload, store)
    assert not report.importable
    assert [f.message for f in report.errors][:1] == [
        "台账尚未确认:龙海.xlsx·进展:项目级别:台账中没有这一列,请指定全部项目的级别"
    ]
    with pytest.raises(ValueError, match="不能导入"):
        importing.commit(report, store, actor=ADMIN)
    assert store.current() is None


def test_a_layout_can_be_renamed_and_deleted(store):
    imported(store, [("3月.xlsx", WRITERS["xlsx"](monthly_ledger(3)))])
    saved = Layouts(store)
    ((layout, _),) = saved.all()
    saved.rename(layout.name, "临江月报", actor=ADMIN)
    assert [lay.name for lay, _ in saved.all()] == ["临江月报"]
    with pytest.raises(ValueError, match="没有名为“甲”的台账格式"):
        saved.delete("甲", actor=ADMIN)
    saved.delete("临江月报", actor=ADMIN)
    assert saved.all() == []
