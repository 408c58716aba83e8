"""Ledgers (台账) written by the tests in the shapes real offices use, in each format offices save:
.xlsx (openpyxl), .xls (xlwt) and .ods (odfpy), merged cells included."""

from __future__ import annotations

import io

from tests.corpus.writers import Merge, Sheet, xls, xlsx  # one copy of the writers

__all__ = ["WRITERS", "Merge", "Sheet", "ods", "xls", "xlsx"]


def ods(*sheets: Sheet) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for s in sheets:
        table = Table(name=s.name)
        spans = {(t, left): (b - t + 1, r - left + 1) for t, left, b, r in s.merges}
        covered = {(r, c) for t, left, b, rt in s.merges for r in range(t, b + 1)
                   for c in range(left, rt + 1)} - set(spans)  # fmt: skip
        width = max(len(r) for r in s.rows)
        for r, row in enumerate(s.rows):
            tr = TableRow()
            for c in range(width):
                value = row[c] if c < len(row) else None
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    rows, cols = spans[(r, c)]
                    attrs = {"numberrowsspanned": rows, "numbercolumnsspanned": cols}
                if isinstance(value, int | float) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string", **attrs)
                    if value not in (None, ""):
                        cell.addElement(P(text=str(value)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


WRITERS = {"xlsx": xlsx, "xls": xls, "ods": ods}


# --- the ledgers -----------------------------------------------------------------------------


def monthly_ledger(month: int = 3, *, drop: tuple[str, ...] = (), amounts: dict | None = None,
                   name_header: str = "项目名称") -> Sheet:  # fmt: skip
    """A city's monthly ledger, 南平-style: title with place and period, a unit line, a three-row
    header with merged group labels and a blank row, 合计 and 其中 rows, county sections
    (一、城东区) with stage sections beneath ((一)在建), serials like "1●", a blank row inside,
    a footnote. `amounts` overrides a project's 1-N月 figure by name."""
    ytd = {"东港大桥": 100, "城东 污水厂": 30, "城东学校": 0, "城西医院": 50, "城西公园": 20}
    ytd.update(amounts or {})
    header = ["序号", name_header, "建设地点", "总投资(万元)", "开工至上年底累计完成投资",
              "2026年计划投资(万元)", "2026年实际完成情况", None, None, "项目业主单位", None,
              "挂点领导", "需要协调解决的问题"]  # fmt: skip
    projects = [
        ("1●", "东港大桥", "城东区", 1000, 200, 400, "主体施工", "市交通集团", "张三", "王副市长",
         "征地拆迁未完成"),
        ("2", "城东 污水厂", "城东区", 500, 0, 200, "桩基", "城东水务公司", "李四", "刘副区长",
         ""),
        ("3", "城东学校", "城东区", 300, 0, 100, "", "城东教育局", "赵五", "刘副区长",
         "用地指标未落实"),
        ("4", "城西医院", "城西区", 800, 100, 300, "装修", "城西卫健局", "钱六", "孙副区长", ""),
        ("5", "城西公园", "城西区", 400, 50, 100, "绿化", "城西园林处", "周七", "孙副区长", ""),
    ]  # fmt: skip
    kept = [p for p in projects if p[1] not in drop]

    def row(p):
        serial, name, county, total, prior, plan, progress, owner, person, leader, problem = p
        done = ytd[name]
        return [serial, name, county, total, prior, plan, done, f"{done / plan:.0%}", progress,
                owner, person, leader, problem]  # fmt: skip

    by = {p[1]: row(p) for p in kept}
    total = [sum(p[i] for p in kept) for i in (3, 4, 5)]
    done_total = sum(ytd[p[1]] for p in kept)
    rows = [
        [f"临江市2026年1-{month}月重点项目(在建、预备)完成情况一览表"] + [None] * 12,
        [None] * 11 + ["计量单位:万元", None],
        header,
        [None] * 6
        + [
            f"1-{month}月完成投资(万元)",
            "完成投资占年计划%",
            f"1-{month}月形象进度",
            "业主名称",
            "负责人",
            None,
            None,
        ],
        [None] * 13,
        [f"合计({len(kept)}项)", None, None, *total, done_total] + [None] * 6,
        ["其中:在建重点项目(4项)"] + [None] * 12,
        ["预备重点项目(1项)"] + [None] * 12,
        ["一、城东区(3项)"] + [None] * 12,
        ["(一)在建(2项)"] + [None] * 12,
    ]
    rows += [by[n] for n in ("东港大桥", "城东 污水厂") if n in by]
    rows += [[None] * 13, ["(二)预备(1项)"] + [None] * 12]
    rows += [by[n] for n in ("城东学校",) if n in by]
    rows += [["二、城西区(2项)"] + [None] * 12, ["(一)在建(2项)"] + [None] * 12]
    rows += [by[n] for n in ("城西医院", "城西公园") if n in by]
    rows += [["注:本表由各区县发改局填报"] + [None] * 12]
    merges = [(0, 0, 0, 12), (2, 6, 2, 8), (2, 9, 2, 10)]
    merges += [(2, c, 4, c) for c in (0, 1, 2, 3, 4, 5, 11, 12)]  # header cells over 3 rows
    merges += [(r, 0, r, 1) for r, values in enumerate(rows)
               if r > 4 and isinstance(values[0], str) and not values[0][0].isdigit()
               and values[0] not in ("注:本表由各区县发改局填报",)]  # fmt: skip
    return Sheet("月报", rows, merges)


def pairs_ledger() -> Sheet:
    """A ledger with per-month pairs (N月: 当月完成投资额 | 形象进度), amounts in 亿元 by their
    header, county total rows ("龙海市合计2个") with sector rows ("一 | 工业") beneath them,
    建设起止年限 as written, and no month in the title."""
    rows = [
        ["龙海片区2026年重点项目月度进展表"] + [None] * 10,
        ["序号", "项目名称", "建设起止年限", "总投资(亿元)", "年度计划投资(亿元)", "1月", None,
         "2月", None, "3月", None, "存在问题"],
        [None] * 5 + ["当月完成投资额(亿元)", "形象进度"] * 3 + [None],
        ["龙海市合计2个", None, None, 2.3, 0.9, 0.05, None, 0.12, None, 0.18, None, None],
        ["一", "工业", None, 1.5, 0.6, 0.05, None, 0.1, None, 0.15, None, None],
        [1, "龙海化工园", "2025.03-2027.12", 1.5, 0.6, 0.05, "开工准备", 0.1, "土建", 0.15,
         "主体施工", "用地指标未落实"],
        ["二", "交通", None, 0.8, 0.3, 0, None, 0.02, None, 0.03, None, None],
        [2, "龙海港区道路", "2026-2027", 0.8, 0.3, 0, None, 0.02, "招标", 0.03, "路基施工", None],
        ["漳浦县合计1个", None, None, 0.4, 0.2, 0.01, None, 0.01, None, 0.02, None, None],
        ["一", "农业", None, 0.4, 0.2, 0.01, None, 0.01, None, 0.02, None, None],
        [1, "漳浦茶园", "2026", 0.4, 0.2, 0.01, "育苗", 0.01, "种植", 0.02, "种植", "贷款未到位"],
    ]  # fmt: skip
    merges = [(0, 0, 0, 11), (1, 5, 1, 6), (1, 7, 1, 8), (1, 9, 1, 10)]
    merges += [(1, c, 2, c) for c in (0, 1, 2, 3, 4, 11)]
    return Sheet("进展", rows, merges)
