"""The corpus of bad returns (tests/fixtures/bad, written by make_corpus.py): one fault each,
and the exact message a user reads for it."""

from pathlib import Path

import pytest

from core.base.geo import load_boundaries
from core.ingest import reading
from core.ingest.validation import validate
from core.store import returns

BAD = Path(__file__).parents[2] / "fixtures" / "bad"
BOUNDARIES = load_boundaries(Path(__file__).parents[2] / "fixtures" / "mini" / "区县边界.geojson")


def check(name: str):
    raws, problems = reading.read_files([(name, (BAD / name).read_bytes())])
    return validate(raws, problems, current=None, boundaries=BOUNDARIES, files=[name])


def test_the_good_file_passes():
    report = check("正确.xlsx")
    assert report.findings == []
    assert report.importable
    assert {t: len(df) for t, df in report.tables.items()} == {
        "项目清单": 5, "年度计划": 4, "月度进度": 7, "资金来源": 3, "存在问题": 3, "指标": 10,
        "节点计划": 0, "红黑榜豁免": 0,  # the good file is older than these tables: they start empty
    }  # fmt: skip


ERRORS = {
    "缺少必需列.xlsx": "【错误】文件“缺少必需列.xlsx”工作表“项目清单”第3行“总投资(万元)”列:"
    "项目清单缺少必需的列“总投资(万元)”",
    "项目代码重复.xlsx": "【错误】文件“项目代码重复.xlsx”工作表“项目清单”第9行“项目代码”列"
    "(值:“A-001”):项目代码重复,与第4行相同",
    "代码不在项目清单.xlsx": "【错误】文件“代码不在项目清单.xlsx”工作表“月度进度”第11行“项目代码”列"
    "(值:“Z-999”):项目清单中没有这个项目代码",
    "未知区县.xlsx": "【错误】文件“未知区县.xlsx”工作表“项目清单”第6行“所在区县”列(值:“丙镇”):"
    "不是区县名称(应以区、县、市或旗结尾),也不是边界文件中的行政区划代码",
    "区县笔误.xlsx": "【错误】文件“区县笔误.xlsx”工作表“项目清单”第5行“所在区县”列(值:“甲”):"
    "边界文件中没有这个区县,是否为“甲区”?",
    "未知行业.xlsx": "【错误】文件“未知行业.xlsx”工作表“项目清单”第4行“行业领域”列(值:“农业项目”):"
    "应为以下之一:产业项目、基础设施、社会民生、生态环保、城市更新、现代服务业",
    "金额非数字.xlsx": "【错误】文件“金额非数字.xlsx”工作表“项目清单”第5行“总投资(万元)”列"
    "(值:“约五亿”):应为数字(单位万元),例如1234.5或1.2亿",
    "金额为负.xlsx": "【错误】文件“金额为负.xlsx”工作表“年度计划”第5行“年度计划投资(万元)”列"
    "(值:“-100”):金额不能为负数",
    "月份超出.xlsx": "【错误】文件“月份超出.xlsx”工作表“月度进度”第7行“年月”列(值:“2025-13”):"
    "月份13不存在(应为1至12);应为年月,例如2025-03、2025年3月、2025.03",
    "日期不存在.xlsx": "【错误】文件“日期不存在.xlsx”工作表“项目清单”第4行“计划开工年月”列"
    "(值:“2025年2月30日”):2025年2月没有30日;应为年月,例如2025-03、2025年3月、2025.03",
    "必填为空.xlsx": "【错误】文件“必填为空.xlsx”工作表“项目清单”第8行“项目名称”列:不能为空",
    "未知问题类型.xlsx": "【错误】文件“未知问题类型.xlsx”工作表“存在问题”第4行“问题类型”列"
    "(值:“其他”):应为以下之一:用地、环评、能耗、资金、征迁、审批",
}


@pytest.mark.parametrize(("name", "message"), ERRORS.items(), ids=list(ERRORS))
def test_each_fault_gives_one_exact_error(name, message):
    report = check(name)
    assert [f.text() for f in report.findings] == [message]
    assert not report.importable and report.tables is None


WARNINGS = {
    "合计不符.xlsx": "【警告】文件“合计不符.xlsx”工作表“年度计划”第8行“年度计划投资(万元)”列"
    "(值:“9000”):“合计”行为9000,上方各行合计为10600,两者不一致",
    "坐标越界.xlsx": "【警告】文件“坐标越界.xlsx”工作表“项目清单”第4行“经度”列(值:“(130.5, 30.5)”):"
    "坐标不在全市范围内,请核对经纬度是否填反或坐标系是否为GCJ-02",
    "完成超总投资.xlsx": "【警告】文件“完成超总投资.xlsx”工作表“项目清单”第4行“总投资(万元)”列"
    "(值:“10000”):项目A-001各月完成投资合计20300万元,超过总投资",
}


@pytest.mark.parametrize(("name", "message"), WARNINGS.items(), ids=list(WARNINGS))
def test_warnings_do_not_block(name, message):
    report = check(name)
    assert [f.text() for f in report.findings] == [message]
    assert report.importable


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("不是工作簿.xlsx", "【错误】文件“不是工作簿.xlsx”不是有效的Excel工作簿(可能已损坏或未保存完整),"
         "请在Excel或WPS中打开后另存为Excel工作簿(.xlsx)再上传"),
        ("空文件.csv", "【错误】文件“空文件.csv”是空文件"),
    ],
)  # fmt: skip
def test_unreadable_files(name, message):
    report = check(name)
    assert [f.text() for f in report.findings] == [message]
    assert not report.importable


def test_report_table_lists_errors_first():
    raws, problems = [], []
    for name in ("合计不符.xlsx", "金额为负.xlsx"):
        r, p = reading.read_files([(name, (BAD / name).read_bytes())])
        raws += r
        problems += p
    report = validate(raws, problems, current=None, boundaries=BOUNDARIES)
    table = report.frame()
    assert table["级别"].tolist()[0] == "错误"
    assert "警告" in table["级别"].tolist()
    assert list(table.columns) == ["级别", "文件", "工作表", "行", "列", "值", "说明"]


def test_year_to_date_figures_become_monthly_amounts():
    """A return that states 1-N月累计 instead of the month's own amount."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(BAD / "正确.xlsx")
    ws = wb["月度进度"]
    ws.delete_rows(3, ws.max_row)
    ws.append(["项目代码", "年月", "1-N月累计完成投资(万元)", "形象进度"])
    for row in (
        ["A-001", "2025-01", 100, "主体施工"],
        ["A-001", "2025-02", 300, "主体封顶"],
        ["B-002", "2025-01", 300, "征迁"],
        ["B-002", "2025-02", 250, ""],  # falls: a correction, kept but named
    ):
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    raws, problems = reading.read_files([("累计.xlsx", buffer.getvalue())])
    report = validate(raws, problems, current=None, boundaries=BOUNDARIES)
    assert [f.text() for f in report.findings] == [
        "【警告】文件“累计.xlsx”工作表“月度进度”第7行“本年累计完成投资(万元)”列(值:“250”):"
        "累计完成投资比2025-01的300少,累计数不应减少;两月之间按负数计入"
    ]
    # Kept as stated (from January), and each month's own amount derived when read.
    kept = report.tables["月度进度"].set_index(["项目代码", "年月"])
    assert kept["本月完成投资(万元)"].to_dict() == {
        ("A-001", "2025-01"): "100", ("A-001", "2025-02"): "300",
        ("B-002", "2025-01"): "300", ("B-002", "2025-02"): "250",
    }  # fmt: skip
    assert kept["起始年月"].to_dict()[("A-001", "2025-02")] == "2025-01"
    own = returns.month_amounts(report.tables["月度进度"]).set_index(["项目代码", "年月"])
    assert own["本月完成投资(万元)"].to_dict() == {
        ("A-001", "2025-01"): 100, ("A-001", "2025-02"): 200,
        ("B-002", "2025-01"): 300, ("B-002", "2025-02"): -50,
    }  # fmt: skip


def _edited(edit) -> tuple[str, bytes]:
    """The good file with some cells of 项目清单 changed (row 4 is its first project)."""
    import io

    from openpyxl import load_workbook

    wb = load_workbook(BAD / "正确.xlsx")
    ws = wb["项目清单"]
    header = [c.value for c in ws[3]]
    for (row, column), value in edit.items():
        ws.cell(row, header.index(column) + 1).value = value  # "#DIV/0!" becomes an error cell
    buffer = io.BytesIO()
    wb.save(buffer)
    return "改.xlsx", buffer.getvalue()


def check_edited(edit):
    name, content = _edited(edit)
    raws, problems = reading.read_files([(name, content)])
    return [f.text() for f in validate(raws, problems, current=None, boundaries=BOUNDARIES,
                                       files=[name]).errors]  # fmt: skip


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?"])
def test_excel_error_cells_are_named_not_called_empty(error):
    errors = check_edited({(4, "总投资(万元)"): error, (5, "项目名称"): error})
    where = "【错误】文件“改.xlsx”工作表“项目清单”"
    assert errors == [
        f"{where}第5行“项目名称”列(值:“{error}”):是Excel错误值{error}(公式出错或引用无效),"
        "不是有效的值;请在原表中改正公式或填入实际的值",
        f"{where}第4行“总投资(万元)”列(值:“{error}”):是Excel错误值{error}(公式出错或引用无效),"
        "不是有效的值;请在原表中改正公式或填入实际的值",
    ]


def test_a_huge_number_is_shown_as_written():
    errors = check_edited({(4, "总投资(万元)"): 1e308, (5, "经度"): 1e308})
    assert any("(值:“1e+308”):金额超过" in e for e in errors), errors
    assert any("“经度”列(值:“1e+308”):应在73至136之间" in e for e in errors), errors
    assert not any("0000000000" in e for e in errors), errors


def test_planned_months_are_held_to_the_limits_of_the_settings():
    errors = check_edited({(4, "计划开工年月"): "2199-12", (5, "计划开工年月"): "1900-01",
                           (6, "计划竣工年月"): "2040-06"})  # fmt: skip
    assert len(errors) == 2, errors
    assert "第4行“计划开工年月”列(值:“2199-12”):年月晚于" in errors[1]
    assert "(计划的年月最多在30年之后)" in errors[1]
    assert errors[0].endswith(
        "第5行“计划开工年月”列(值:“1900-01”):年月早于1990-01,超出合理范围,请核对年份"
    )
