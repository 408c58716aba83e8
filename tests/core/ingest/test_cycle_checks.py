"""The monthly cycle's tables and columns in a return: the 督办 fields of 存在问题 checked state
by state, 节点计划 against the project list, 红黑榜豁免 against its units; the template and the
export carry them."""

import io

import pytest
from openpyxl import load_workbook

from core.base import schema as S
from core.ingest import reading, workbook
from core.ingest.validation import validate, workflow_problems
from core.store.portfolio import read_csv, with_all_columns
from tests.conftest import FIXTURES

MINI = FIXTURES / "mini"
HEADER = "问题编号,项目代码,问题类型,提出年月,责任单位,交办日期,办结时限,办理状态,办结日期,销号日期,解决年月"


def current():
    """The mini data set as the store gives it: every column, as text."""
    return {t: with_all_columns(read_csv(MINI / f"{t}.csv"), t) for t in S.TABLES}


def check(name: str, text: str):
    raws, problems = reading.read_files([(name, text.encode("utf-8"))])
    return validate(raws, problems, current=current(), boundaries=None, files=[name])


def messages(report) -> list[str]:
    return [f"{f.row}|{f.column}|{f.message}" for f in report.findings]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,2026-02-05,办理中,,,", []),
        ("P9,A-001,用地,2026-01,,,,待交办,,,", []),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,,,办理中,,,",
         ["2|交办日期|办理状态为“办理中”的问题须填写交办日期"]),
        ("P9,A-001,用地,2026-01,,2026-01-05,,办理中,,,", ["2|责任单位|已交办的问题须填写责任单位"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,已办结,,,",
         ["2|办结日期|办理状态为“已办结”的问题须填写办结日期"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,已销号,2026-01-20,,",
         ["2|销号日期|办理状态为“已销号”的问题须填写销号日期"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,办理中,2026-01-20,,",
         ["2|办结日期|办理状态为“办理中”,不应填写办结日期"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,已办结,2026-01-20,2026-01-25,",
         ["2|销号日期|已填写销号日期,办理状态应为“已销号”"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,已办结,2026-01-20,,2026-02",
         ["2|解决年月|解决年月应为办结日期所在的月份(2026-01)"]),
        ("P9,A-001,用地,2026-02,市自然资源和规划局,2026-01-05,2026-01-01,办理中,,,",
         ["2|交办日期|交办日期早于提出年月", "2|办结时限|办结时限早于交办日期"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,已销号,2026-01-04,2026-01-03,",
         ["2|办结日期|办结日期早于交办日期", "2|销号日期|销号日期早于办结日期"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01-05,,已结束,,,",
         ["2|办理状态|应为以下之一:待交办、办理中、已办结、已销号"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2026-01,,办理中,,,",
         ["2|交办日期|缺少日;应为日期,例如2026-03-15、2026年3月15日、2026.03.15"]),
        ("P9,A-001,用地,2026-01,市自然资源和规划局,2099-01-05,,办理中,,,",
         ["2|交办日期|日期晚于今天"]),
    ],
)  # fmt: skip
def test_the_workflow_of_a_returned_problem(row, expected):
    got = messages(check("存在问题.csv", f"{HEADER}\n{row}\n"))
    assert [m[: len(e)] for m, e in zip(got, expected, strict=False)] == expected
    assert len(got) == len(expected)


def test_a_closure_day_gives_the_month_it_stopped_being_open():
    report = check(
        "存在问题.csv", f"{HEADER}\nP1,B-002,用地,2024-12,市自然资源和规划局,2025-01-02,,"
        "已办结,2025-03-18,,\n",
    )  # fmt: skip
    assert report.findings == []
    row = report.tables[S.PROBLEMS].set_index(S.PROBLEM_ID).loc["P1"]
    assert (row[S.RESOLVED], row[S.HANDLING_STATE]) == ("2025-03", "已办结")
    assert row[S.PROBLEM_TEXT] == "用地指标未落实"  # a column the file lacks keeps its value


def test_a_state_without_its_dates_in_the_file_is_checked_with_the_stored_ones():
    """The file gives only the state: the stored row has no 交办日期, so it cannot be 办理中."""
    report = check(
        "存在问题.csv",
        "问题编号,项目代码,问题类型,提出年月,办理状态\nP1,B-002,用地,2024-12,办理中\n",
    )
    assert messages(report) == ["2|交办日期|办理状态为“办理中”的问题须填写交办日期"]


def test_an_old_problem_without_any_workflow_is_consistent():
    row = {c: "" for c in S.PROBLEM_COLUMNS} | {S.RAISED: "2025-01", S.RESOLVED: "2025-02"}
    assert workflow_problems(row) == []


def test_milestones_of_an_unknown_project_are_refused():
    report = check("节点计划.csv", "项目代码,节点名称,计划完成年月,实际完成年月\n"
                   "A-001,设备安装,2026-06,\nZ-9,开工,2026-01,\nA-001,主体完工,,\n")  # fmt: skip
    assert messages(report) == [
        "4|计划完成年月|不能为空",
        "3|项目代码|项目清单中没有这个项目代码",
    ]


def test_an_exemption_names_a_known_kind_and_unit():
    report = check("红黑榜豁免.csv", "单位类别,单位名称,年月,豁免原因\n"
                   "所在区县,甲区,2025-02,停工\n乡镇,甲区,2025-02,停工\n所在区县,丙县,2025-02,停工\n"
                   "所在区县,乙县,2025-02,\n")  # fmt: skip
    assert messages(report) == [
        "5|豁免原因|不能为空",
        "3|单位类别|应为以下之一:所在区县、所属园区",
        "4|单位名称|项目清单的所在区县中没有这个名称,该豁免不会用到",
    ]


def test_the_template_and_the_export_carry_the_new_tables_and_columns():
    template = load_workbook(io.BytesIO(workbook.template_bytes()))
    assert template.sheetnames[-2:] == [S.MILESTONES, S.EXEMPTIONS]
    header = [c.value for c in template[S.PROBLEMS][1]]
    assert header[-6:] == [S.ASSIGNED_ON, S.DEADLINE, S.HANDLING_STATE, S.HANDLING_NOTES,
                           S.CLOSED_ON, S.CLEARED_ON]  # fmt: skip
    notes = workbook.instructions()
    assert set(notes["工作表"]) == set(S.TABLES)
    exported = workbook.data_bytes(current())
    raws, problems = reading.read_files([("导出.xlsx", exported)])
    report = validate(raws, problems, current=None, boundaries=None)
    assert report.importable
    for table in (S.MILESTONES, S.EXEMPTIONS):
        assert report.tables[table].astype(str).equals(current()[table].astype(str))
