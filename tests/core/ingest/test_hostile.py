"""Hostile and careless files: each is written here, checked, and answered with the exact
Chinese message a user reads; none crashes a check or reaches the store. The files that would
exhaust memory are read in a subprocess with a memory limit, so a regression fails the test
instead of taking the machine down."""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.ingest import importing, reading, sheets
from core.store.versions import Store

ROOT = Path(__file__).resolve().parents[3]


def xlsx_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def crafted(extra_xml: bytes = b"", far_cell: str | None = None) -> bytes:
    """A small workbook with a ledger header whose sheet XML is edited the way a crafted file
    would be: a merged range or a cell far away, without any tool expanding it first."""
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", "年度计划投资"])
    ws.append(["甲项目", 10, 5])
    zin = zipfile.ZipFile(io.BytesIO(xlsx_bytes(wb)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if far_cell:
                    data = data.replace(
                        b"</sheetData>",
                        f'<row r="{far_cell[1]}"><c r="{far_cell[0]}{far_cell[1]}" t="n"><v>1</v>'
                        "</c></row></sheetData>".encode(),
                    )
                data = data.replace(b"</sheetData>", b"</sheetData>" + extra_xml)
            zout.writestr(info, data)
    return out.getvalue()


MERGE = b'<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'

FILES = {
    "远处单元格.xlsx": (
        lambda: crafted(far_cell=("XFD", "1048576")),
        "文件“远处单元格.xlsx”的第1张工作表用到了第16384列,超过1000列的上限;"
        "请删除右侧多余的列(或清除其中的内容和格式)后另存再上传",
    ),
    "整表合并.xlsx": (
        lambda: crafted(MERGE),
        "文件“整表合并.xlsx”的第1张工作表的合并单元格覆盖了17179836416个单元格,"
        "超过100万个的上限;请取消整行整列的合并后再上传",
    ),
    "行数超限.xlsx": (
        lambda: crafted(far_cell=("A", "3000000")),
        "文件“行数超限.xlsx”的第1张工作表用到了3000000行×3列,超过每张表1200万个单元格的上限;"
        "请删除多余的行列,或拆分后上传",
    ),
}


@pytest.mark.parametrize(("name", "case"), FILES.items(), ids=list(FILES))
def test_files_that_would_exhaust_memory_are_refused_first(name, case):
    content, message = case[0](), case[1]
    assert len(content) < 10_000  # a few kilobytes
    read = reading.read_upload([(name, content)])
    assert [p.message for p in read.problems] == [message]


def test_refused_in_a_process_with_a_memory_limit(tmp_path):
    """The same read in a subprocess limited to 1 GB of memory: it answers, it is not killed."""
    path = tmp_path / "合并.xlsx"
    path.write_bytes(crafted(MERGE))
    code = (
        "import sys; from core.ingest import reading\n"
        "r = reading.read_upload([('x.xlsx', open(sys.argv[1], 'rb').read())])\n"
        "print(r.problems[0].message)\n"
    )

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, preexec_fn=limit)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "超过100万个的上限" in done.stdout


def test_a_zip_bomb_is_refused_by_its_unpacked_size(monkeypatch):
    monkeypatch.setattr(sheets, "MAX_UNZIPPED_BYTES", 1 << 20)
    content = crafted(b"<!--" + b" " * (2 << 20) + b"-->")  # 2 MB of spaces pack to a few KB
    assert len(content) < 50_000
    (problem,) = reading.read_upload([("炸弹.xlsx", content)]).problems
    assert problem.message.startswith("文件“炸弹.xlsx”解压后超过")


TEXT = {
    "乱码.csv": (
        "项目代码,项目名称,总投资\nA1,甲项目,10\n".encode().decode("latin-1").encode(),
        "文件“乱码.csv”中找不到表头,文字像是乱码:文件的编码不是UTF-8或GBK(如用日文或西文编码保存);"
        "请在Excel中另存为“CSV UTF-8(逗号分隔)”后上传",
    ),
    "日文.csv": (
        "プロジェクト名,総投資\n東京タワー,10\n".encode("shift_jis"),
        "文件“日文.csv”中找不到表头,文字像是乱码:文件的编码不是UTF-8或GBK(如用日文或西文编码保存);"
        "请在Excel中另存为“CSV UTF-8(逗号分隔)”后上传",
    ),
    "一行.csv": (
        b"a" * 1_200_000 + b"\n",
        "文件“一行.csv”有一行长达120万个字符,不像逐行的CSV表格(可能缺少换行符或不是表格文件);"
        "请在Excel中打开确认后另存为CSV",
    ),
}


@pytest.mark.parametrize(("name", "case"), TEXT.items(), ids=list(TEXT))
def test_unreadable_text_says_what_to_do(name, case):
    assert [p.message for p in reading.read_upload([(name, case[0])]).problems] == [case[1]]


def test_formulas_without_values_and_hidden_sheets_are_named():
    wb = Workbook()
    wb.active.append(["项目名称", "总投资", "年度计划投资"])
    wb.active.append(["甲", "=1+1", 3])
    (problem,) = reading.read_upload([("公式.xlsx", xlsx_bytes(wb))]).problems
    assert problem.skipped and problem.message == (
        "文件“公式.xlsx”中有1个公式单元格没有保存计算结果,读作空白(常见于由程序生成、未在Excel中"
        "打开保存过的文件);请在Excel或WPS中打开并保存后再上传"
    )
    wb = Workbook()
    hidden = wb.create_sheet("数据")
    hidden.append(["项目名称", "总投资"])
    hidden.append(["甲", 1])
    hidden.sheet_state = "hidden"
    (problem,) = reading.read_upload([("隐藏.xlsx", xlsx_bytes(wb))]).problems
    assert problem.message == (
        "文件“隐藏.xlsx”中可见的工作表没有任何数据,隐藏的工作表“数据”不读取;"
        "如数据在其中,请在Excel中取消隐藏后另存再上传"
    )


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path}/hostile.sqlite")


PROJECTS = "项目代码,项目名称,所在区县,行业领域,项目级别,项目阶段,总投资(万元),经度,纬度\n"
MONTHLY = "项目代码,年月,本月完成投资(万元)\n"


@pytest.mark.parametrize(
    ("project", "month", "message"),
    [
        ("A1,甲,城东区,产业项目,省重点,在建,1e308,,", "2026-01,1",
         "金额超过10万亿元的合理上限,请核对单位(是否把元填成了万元)"),
        ("A1,甲,城东区,产业项目,省重点,在建,1e309,,", "2026-01,1",
         "应为数字,这个数太大或不是有限的数"),
        ("A1,甲,城东区,产业项目,省重点,在建," + "9" * 400 + ",,", "2026-01,1",
         "应为数字,这个数太大或不是有限的数"),
        ("A1,甲,城东区,产业项目,省重点,在建,10,inf,30", "2026-01,1",
         "应为数字,这个数太大或不是有限的数"),
        ("A1,甲,城东区,产业项目,省重点,在建,10,nan,30", "2026-01,1",
         "应为数字,这个数太大或不是有限的数"),
        ("A1,甲,城东区,产业项目,省重点,在建,10,30.5,120.1", "2026-01,1",
         "应在73至136之间(中国境内的GCJ-02坐标);请核对经纬度是否填反"),
        ("A1,甲,城东区,产业项目,省重点,在建,10,,", "2199-12,1",
         "年月晚于"),
    ],
)  # fmt: skip
def test_values_that_would_break_a_page_are_refused(store, project, month, message):
    files = [("项目清单.csv", (PROJECTS + project + "\n").encode()),
             ("月度进度.csv", (MONTHLY + "A1," + month + "\n").encode())]  # fmt: skip
    report = importing.check(files, store)
    assert not report.importable
    assert any(message in f.message for f in report.errors), [f.text() for f in report.errors]
    assert store.current() is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[1, 2]", "不是GeoJSON要素集合(FeatureCollection),而是一个数组或其他值"),
        (b'{"type": "FeatureCollection", "features": [1, "a"]}', "第1个要素不是GeoJSON要素(Feature)"),
        (b"[" * 100_000 + b"]" * 100_000, "GeoJSON的嵌套层数过深,不是正常的边界文件"),
        (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature",
          "properties": {"name": "甲区"}, "geometry": {"type": "Polygon", "coordinates": [[]]}}]}
          ).encode(), "有的环少于4个点(空环或未闭合)"),
    ],
)  # fmt: skip
def test_bad_boundary_files_are_named(store, content, message):
    report = importing.check([("边界.geojson", content)], store)
    assert any(message in f.message for f in report.errors), [f.text() for f in report.errors]


def test_millions_of_the_same_finding_are_counted_not_kept(store):
    rows = "".join(f"Z{i},2026-01,1\n" for i in range(3000))
    report = importing.check([("月度进度.csv", (MONTHLY + rows).encode())], store)
    codes = [f for f in report.findings if f.message == "项目清单中没有这个项目代码"]
    assert len(codes) == 500  # kept
    (line,) = [x for x in report.lines() if x.message == "项目清单中没有这个项目代码"]
    assert line.rows_text().endswith("(共3000行)")
    assert report.summary().startswith("发现3001个错误")  # and 项目清单没有任何项目


MINI_BOUNDARIES = (ROOT / "tests" / "fixtures" / "mini" / "区县边界.geojson").read_bytes()


def test_counties_of_another_city_are_one_line_with_a_hint(store):
    rows = "".join(f"A{i},项目{i},{county},产业项目,省重点,在建,10,,\n"
                   for i, county in enumerate(["西湖区", "上城区", "滨江区"] * 14))  # fmt: skip
    files = [("项目清单.csv", (PROJECTS + rows).encode()),
             ("月度进度.csv", (MONTHLY + "A1,2026-01,1\n").encode()),
             ("边界.geojson", MINI_BOUNDARIES)]  # fmt: skip
    report = importing.check(files, store)
    (line,) = [x for x in report.lines() if x.column == "所在区县"]
    assert line.rows_text() == "第2–43行(共42行)"
    assert line.values_text() == "西湖区、上城区、滨江区"
    assert line.message.endswith("是否上传了其他城市的边界文件?项目只在地图上显示为点位")
    assert report.importable  # a warning: the projects show as points


def test_city_level_units_are_not_refused_as_county_names(store):
    files = [("项目清单.csv", (PROJECTS + "A1,甲,市本级,产业项目,省重点,在建,10,,\n").encode()),
             ("月度进度.csv", (MONTHLY + "A1,2026-01,1\n").encode()),
             ("边界.geojson", MINI_BOUNDARIES)]  # fmt: skip
    report = importing.check(files, store)
    assert report.importable, [f.text() for f in report.findings]


def _boundary(geometry, **top) -> bytes:
    return json.dumps({"type": "FeatureCollection", **top, "features": [{"type": "Feature",
                       "properties": {"name": "甲区"}, "geometry": geometry}]}).encode()  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_boundary({"type": "Polygon", "coordinates": [[[13358338.9, 3503549.8],
          [13380602.9, 3503549.8], [13380602.9, 3526399.3], [13358338.9, 3503549.8]]]}),
         "第1个要素(甲区)的几何数据有误:坐标“[1.33583e+07, 3.50355e+06]”超出经纬度范围"),
        (_boundary({"type": "Polygon", "coordinates": ["@@AA"]}, UTF8Encoding=True),
         "第1个要素(甲区)是ECharts压缩格式(UTF8Encoding),但缺少encodeOffsets"),
        (_boundary({"type": "Polygon", "coordinates": ["@@AA"], "encodeOffsets": [[1, 1]]},
                   UTF8Encoding=True, UTF8Scale="x"), "的UTF8Scale“x”无效:应为正数"),
    ],
)  # fmt: skip
def test_mercator_and_broken_echarts_boundaries_are_refused_in_chinese(store, content, message):
    report = importing.check([("边界.geojson", content)], store)
    (error,) = [f for f in report.errors if message in f.message]
    assert error.file == "边界.geojson" and error.message.startswith("边界.geojson")


def test_cli_validate_names_a_broken_echarts_file_without_a_traceback(tmp_path, capsys):
    from core.__main__ import main

    path = tmp_path / "边界.geojson"
    path.write_bytes(_boundary({"type": "Polygon", "coordinates": ["@@AA"]}, UTF8Encoding=True))
    assert main(["--database", f"sqlite:///{tmp_path / 'b.db'}", "validate", str(path)]) == 1
    out = capsys.readouterr()
    assert "缺少encodeOffsets" in out.out + out.err and "Traceback" not in out.out + out.err


def test_a_repaired_bowtie_county_is_a_warning_naming_the_file(store):
    bowtie = _boundary({"type": "Polygon", "coordinates": [[[120, 30], [120.2, 30.2], [120.2, 30],
                                                            [120, 30.2], [120, 30]]]})  # fmt: skip
    report = importing.check([("边界.geojson", bowtie)], store)
    (warning,) = [f for f in report.warnings if "自相交" in f.message]
    assert warning.file == "边界.geojson" and "第1个要素(甲区)" in warning.message
