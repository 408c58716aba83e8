"""Imports end to end: a messy export of the demo re-imports to the same figures; corrupted
workbooks never crash the check nor touch the store; the real Hangzhou boundary file; the CLI."""

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from core.__main__ import main
from core.base import schema as S
from core.figures import briefing
from core.figures import indicators as I
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest import importing, workbook
from core.output import maps
from core.store import datasource, returns
from core.store.versions import Store
from tests.access_kit import ADMIN

FIXTURES = Path(__file__).parents[2] / "fixtures"
MINI_GEOJSON = (FIXTURES / "mini" / "区县边界.geojson").read_bytes()
HANGZHOU = Path(__file__).parents[4] / "shared" / "realworld" / "330100_full.json"


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/import.sqlite")
    yield s
    s.close()


def messy_demo_workbook() -> bytes:
    """The demo as an office would send it: title rows, a unit line, text amounts with
    separators and units, Chinese dates, and a 合计 row."""
    demo = datasource.current(Store("sqlite://")).tables  # an empty store: the demo
    wb = load_workbook(io.BytesIO(workbook.data_bytes(demo)))
    ws = wb["项目清单"]
    ws.insert_rows(1, 2)
    ws["A1"] = "2026年全市重大项目清单"
    ws.merge_cells("A1:R1")
    ws["A2"] = "单位:万元"
    header = [c.value for c in ws[3]]
    total_col = header.index("总投资(万元)") + 1
    for row in range(4, ws.max_row + 1, 7):
        value = float(ws.cell(row=row, column=total_col).value)
        ws.cell(row=row, column=total_col, value=f"{value:,.2f}")  # "12,345.67"
    row = 5
    value = float(ws.cell(row=row, column=total_col).value)
    ws.cell(row=row, column=total_col, value=f"{value / 10000:.6f}亿")  # "1.234567亿"
    start_col = header.index("计划开工年月") + 1
    for row in range(4, ws.max_row + 1, 3):
        y, m = ws.cell(row=row, column=start_col).value.split("-")
        ws.cell(row=row, column=start_col, value=f"{y}年{int(m)}月")
    ws = wb["月度进度"]
    for row in range(2, ws.max_row + 1, 5):
        y, m = ws.cell(row=row, column=2).value.split("-")
        ws.cell(row=row, column=2, value=f"{y}.{m}")
    ws = wb["年度计划"]
    total = sum(float(c.value) for (c,) in ws.iter_rows(min_row=2, min_col=3, max_col=3))
    ws.append(["合计", None, round(total, 2)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def figures(p, scope):
    """Everything a page states for a scope, as text, for comparison."""
    this, last = M.year_figures_with_last_year(p, scope)
    return {
        "year": (this, last),
        "pipeline": M.pipeline(p, scope),
        "funding": M.funding_by_channel(p, scope),
        "ranking": M.county_ranking(p, scope).round(9).to_dict("records"),
        "problems": M.problem_counts(p, scope, S.PROBLEM_TYPE).to_dict("records"),
        "open": M.open_problems(p, scope)[S.PROBLEM_ID].tolist(),
        "fai": I.fai_cards(p.indicators, scope.period),
        "annual": I.annual_cards(p.indicators, scope.period),
        "brief": briefing.write(p, scope).text(),
        "table": M.progress_table(p, scope)[[S.CODE, M.RATE, M.STATUS]]
        .fillna(-1)  # NaN (no plan) is not equal to itself
        .round(9)
        .to_dict("list"),
    }


def test_messy_export_reimports_to_the_same_figures(store):
    demo = datasource.portfolio(datasource.current(store))
    assert demo.is_demo
    geo = json.dumps(datasource.current(store).boundaries, ensure_ascii=False).encode()
    report = importing.check([("示例市.xlsx", messy_demo_workbook()), ("边界.geojson", geo)], store)
    assert report.findings == [], [f.text() for f in report.findings[:5]]
    importing.commit(report, store, "再导入", actor=ADMIN)
    imported = datasource.portfolio(datasource.current(store))
    assert not imported.is_demo and imported.latest_period == demo.latest_period
    scopes = [Scope(demo.latest_period), Scope(demo.latest_period, level=None)]
    scopes += [Scope(demo.latest_period, counties=(c,)) for c in demo.counties]
    scopes += [Scope(demo.latest_period, sectors=("产业项目",), stage="在建")]
    scopes += [Scope(demo.latest_period.shift(-3))]
    for scope in scopes:
        assert figures(imported, scope) == figures(demo, scope), scope.sentence()


def test_an_update_replaces_rows_by_key_and_keeps_the_rest(store):
    good = (FIXTURES / "bad" / "正确.xlsx").read_bytes()
    importing.commit(importing.check([("正确.xlsx", good), ("b.geojson", MINI_GEOJSON)], store),
                     store, actor=ADMIN)  # fmt: skip
    update = "项目代码,年月,1-2月完成投资(万元)\nA-001,2025-02,500\n".encode("gb18030")
    report = importing.check([("月度进度.csv", update)], store)
    assert report.importable, [f.text() for f in report.findings]
    importing.commit(report, store, "A-001二月更正", actor=ADMIN)
    tables, _ = store.current_tables()
    stated = tables["月度进度"].set_index(["项目代码", "年月"])
    # The store keeps what the return says (500 from January on); the month's own amount is
    # derived when the data are read: 500 to date minus January's 100.
    assert tuple(stated.loc[("A-001", "2025-02"), ["本月完成投资(万元)", "起始年月"]]) == (
        "500", "2025-01")  # fmt: skip
    own = returns.month_amounts(tables["月度进度"]).set_index(["项目代码", "年月"])
    assert own.loc[("A-001", "2025-02"), "本月完成投资(万元)"] == 400
    assert len(tables["月度进度"]) == 7 and len(tables["项目清单"]) == 5
    assert [b.files for b in store.history()] == [("月度进度.csv",), ("正确.xlsx", "b.geojson")]


_CELL = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["合计", "小计", "2025年13月", "1.2亿", "=SUM(A1:A3)", "是", "城东", "—", " "]),
    st.datetimes(),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(S.TABLES), st.integers(1, 12), st.integers(1, 20), _CELL),
        min_size=1,
        max_size=6,
    ),
    drop_sheet=st.one_of(st.none(), st.sampled_from(S.TABLES)),
)
def test_random_corruptions_never_crash_nor_touch_the_store(store, edits, drop_sheet):
    if not store.has_data():
        good = (FIXTURES / "bad" / "正确.xlsx").read_bytes()
        importing.commit(
            importing.check([("正确.xlsx", good), ("b.geojson", MINI_GEOJSON)], store),
            store,
            actor=ADMIN,
        )
    before = (store.version(), store.history(), store.current_tables())
    wb = load_workbook(FIXTURES / "bad" / "正确.xlsx")
    for sheet, row, col, value in edits:
        if sheet in wb.sheetnames:
            # openpyxl refuses some values (control characters, merged cells): not a corruption
            with contextlib.suppress(ValueError, TypeError, AttributeError, IllegalCharacterError):
                wb[sheet].cell(row=row, column=col, value=value)
    if drop_sheet in wb.sheetnames:  # the fixture has the tables of its day, not the newer ones
        del wb[drop_sheet]
    out = io.BytesIO()
    wb.save(out)
    report = importing.check([("改坏的.xlsx", out.getvalue())], store)
    assert isinstance(report.summary(), str)
    for finding in report.findings:
        assert finding.message and finding.level in ("错误", "警告")
    after = (store.version(), store.history(), store.current_tables())
    assert after[:2] == before[:2]
    for table in S.TABLES:
        pd.testing.assert_frame_equal(after[2][0][table], before[2][0][table])


@pytest.mark.skipif(not HANGZHOU.exists(), reason="../shared/realworld is not beside this checkout")
def test_real_hangzhou_boundaries_with_current_district_names(store):
    """DataV's Hangzhou file predates 2021: it has 下城区 and 江干区, not 临平区 and 钱塘区."""
    wb = load_workbook(FIXTURES / "bad" / "正确.xlsx")
    ws = wb["项目清单"]
    header = [c.value for c in ws[3]]
    places = {  # code → (district, lon, lat) inside today's districts
        "A-001": ("上城区", 120.17, 30.24), "B-002": ("西湖区", 120.10, 30.22),
        "C-003": ("临平区", 120.30, 30.42), "D-004": ("钱塘区", 120.48, 30.31),
        "E-005": ("330106", 120.08, 30.20),  # an adcode: 西湖区
    }  # fmt: skip
    for row in ws.iter_rows(min_row=4):
        county, lon, lat = places[row[0].value]
        row[header.index("所在区县")].value = county
        row[header.index("经度")].value = lon
        row[header.index("纬度")].value = lat
    out = io.BytesIO()
    wb.save(out)
    report = importing.check([("杭州.xlsx", out.getvalue()), (HANGZHOU.name, HANGZHOU.read_bytes())],
                             store)  # fmt: skip
    assert report.importable, [f.text() for f in report.errors]
    assert sorted(f.value for f in report.warnings) == ["临平区", "钱塘区"]
    assert all("只在地图上显示为点位" in f.message for f in report.warnings)
    importing.commit(report, store, "杭州", actor=ADMIN)
    p = datasource.portfolio(datasource.current(store))
    assert "下城区" in p.counties and "西湖区" in p.counties
    assert set(p.projects[S.COUNTY]) == {"上城区", "西湖区", "临平区", "钱塘区"}
    scope = Scope(p.latest_period, level=None)
    result = maps.project_map(p.boundaries, M.county_ranking(p, scope),
                              M.projects_in_scope(p, scope))  # fmt: skip
    assert result.counties_without_polygon == ["临平区", "钱塘区"]
    assert result.points_shown == 5


def test_cli_template_validate_import_history_rollback_export(tmp_path, capsys):
    db = ["--database", f"sqlite:///{tmp_path}/cli.sqlite"]
    template = tmp_path / "模板.xlsx"
    assert main([*db, "template", str(template)]) == 0
    assert load_workbook(template).sheetnames == ["填表说明", *S.TABLES]
    geo = tmp_path / "区县边界.geojson"
    geo.write_bytes(MINI_GEOJSON)

    assert main([*db, "validate", str(FIXTURES / "bad" / "金额为负.xlsx"), str(geo)]) == 1
    out = capsys.readouterr().out
    assert "第5行“年度计划投资(万元)”列(值:“-100”):金额不能为负数" in out
    assert main([*db, "import", str(FIXTURES / "bad" / "金额为负.xlsx"), str(geo)]) == 1
    assert "尚未导入任何数据" in (capsys.readouterr(), main([*db, "history"]),
                                 capsys.readouterr().out)[2]  # fmt: skip

    good = FIXTURES / "bad" / "正确.xlsx"
    assert main([*db, "import", str(good), str(geo), "--note", "一月"]) == 0
    assert main([*db, "import", str(good), "--note", "再次"]) == 1  # the same file: nothing new
    assert "完全相同" in capsys.readouterr().out
    again = tmp_path / "更正.xlsx"
    wb = load_workbook(good)
    wb["项目清单"]["B4"] = "甲区芯片封装项目(二期)"
    wb.save(again)
    assert main([*db, "import", str(again), "--note", "再次"]) == 0
    assert main([*db, "rollback", "1", "--note", "退回"]) == 0
    capsys.readouterr()
    assert main([*db, "history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("第3批(当前)") and "回滚,恢复自第1批" in lines[0]
    assert "备注:一月" in lines[2]
    export = tmp_path / "导出.xlsx"
    assert main([*db, "export", str(export)]) == 0
    assert main([*db, "validate", str(export)]) == 0
    assert main([*db, "rollback", "9"]) == 1
    assert "历史记录中没有第9批数据" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["template", "export", "validate", "import", "history",
                                     "rollback", "summary", "brief"])  # fmt: skip
def test_cli_help_in_chinese(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert any("\u4e00" <= ch <= "\u9fff" for ch in capsys.readouterr().out)


def test_empty_and_oversized_files(store, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_MB", 0.001)
    report = importing.check([("大文件.xlsx", b"x" * 2000), ("空.csv", b"")], store)
    texts = [f.text() for f in report.findings]
    assert texts[0].startswith("【错误】文件“大文件.xlsx”(值:“0.0MB”):文件超过")
    assert any("空.csv" in t and "空文件" in t for t in texts)
    assert not report.importable


def test_snapshot_gives_the_same_portfolio_and_serves_a_roll_back(store, monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "snap"))
    good = (FIXTURES / "bad" / "正确.xlsx").read_bytes()
    importing.commit(importing.check([("正确.xlsx", good), ("b.geojson", MINI_GEOJSON)], store),
                     store, actor=ADMIN)  # fmt: skip
    snapshots = list((tmp_path / "snap").iterdir())
    assert len(snapshots) == 1  # written by the import, for the app's first load
    fresh = datasource.portfolio(datasource.current(store))
    cached = datasource.load(store)
    for scope in (Scope(fresh.latest_period, level=None), Scope(fresh.latest_period)):
        assert figures(cached, scope) == figures(fresh, scope)
    update = "项目代码,年月,本月完成投资(万元)\nA-001,2025-02,900\n".encode()
    importing.commit(importing.check([("月度进度.csv", update)], store), store, actor=ADMIN)
    store.rollback(1, actor=ADMIN)
    assert len(list((tmp_path / "snap").iterdir())) == 2  # the roll-back reuses the first
    again = datasource.load(store)
    assert again.source.startswith("第3批数据(回滚")
    assert figures(again, Scope(fresh.latest_period)) == figures(fresh, Scope(fresh.latest_period))


def test_reimporting_the_products_own_export_changes_nothing(store):
    """The mini fixture writes some numbers as "5.0": the export gives them back as 5."""
    mini = FIXTURES / "mini"
    importing.commit(importing.check(importing.read_paths(sorted(mini.iterdir())), store), store,
                     "小样本", actor=ADMIN)  # fmt: skip
    tables, _ = store.current_tables()
    report = importing.check([("导出.xlsx", workbook.data_bytes(tables))], store)
    assert report.unchanged and report.changes is None
    assert [f.message for f in report.findings] == [
        "上传的数据与现有数据(第1批)完全相同,无需再次导入;未写入任何数据"
    ]
