"""The steps of an import on 数据管理: the mapping of each ledger, the check, what changes.

Core decides (core.ingest.importing, layouts, ledger_tables); these functions only draw the
widgets and hand the person's choices back to core.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common
from core.base import cells, settings
from core.base import schema as S
from core.base.periods import Period
from core.ingest import changes as C
from core.ingest import importing, layouts, ledger_tables
from core.ingest import vocabulary as V
from core.ingest.findings import ERROR, Report
from core.ingest.importing import LedgerPlan, Upload
from core.store.versions import Store

GRID = 3  # column selectboxes per row
MONTHS = list(range(1, 13))


def mapping(upload: Upload, digest: str, store: Store) -> Upload:
    """Draw the mapping step of every ledger; the upload with the choices made."""
    st.subheader("台账映射")
    st.caption(
        "上传的文件是本办自己的台账(月报表),不是填报模板。请核对每一列对应的字段、分组行的含义"
        "和缺省值;确认后保存为台账格式,下月上传同样格式的台账时自动套用。"
    )
    for i, plan in enumerate(upload.plans):
        expanded = bool(plan.unsettled()) or not plan.saved
        title = f"{plan.ledger.name} · {len(plan.ledger.records)}个项目"
        if plan.saved:
            title += f" · 已按台账格式“{plan.layout.name}”读取"
        with st.expander(common.plain(title), expanded=expanded, icon=":material/table_view:"):
            upload = importing.with_plan(upload, i, **_plan_choices(plan, f"{digest}_{i}", store))
    return upload


def _plan_choices(plan: LedgerPlan, key: str, store: Store) -> dict:
    ledger, layout = plan.ledger, plan.layout
    if ledger.title:
        st.markdown(common.plain(f"标题:{ledger.title}"))
    first, last = ledger.header_rows
    st.caption(
        common.plain(
            f"表头在第{first}–{last}行;{len(ledger.records)}个项目行,"
            f"{len([s for s in ledger.sections if not s.total])}个分组行,"
            f"{len([s for s in ledger.sections if s.total])}个合计行。"
        )
    )
    period = _period(plan, key)

    st.markdown("**各列对应的字段**")
    rows = layouts.column_rows(ledger, layout)
    options = [f.key for f in V.FIELDS]
    grid = st.columns(GRID)
    choices: dict[str, str] = {}
    for n, r in enumerate(rows.to_dict("records")):
        with grid[n % GRID]:
            column = ledger.column(_index(ledger, r[layouts.COLUMN]))
            known = layout.field_of(column)
            label = common.plain(f"{r[layouts.COLUMN]}列 · {r[layouts.HEADER]}")
            chosen = st.selectbox(
                label,
                options,
                index=options.index(known.key) if known else None,
                placeholder="未识别,请选择",
                key=f"field_{key}_{r[layouts.COLUMN]}",
                help=common.plain(
                    f"示例值:{r[layouts.EXAMPLE] or '(空)'}"
                    + (f";{r[layouts.NOTE]}" if r[layouts.NOTE] else "")
                ),
            )
            if chosen:
                choices[r[layouts.COLUMN]] = chosen
    layout = layouts.with_choices(layout, ledger, choices)

    sections = layouts.section_rows(ledger, layout)
    if sections:
        st.markdown("**分组行的含义**")
        cols = st.columns(max(len(sections), 2))
        for (level, labels, meaning), col in zip(sections, cols, strict=False):
            chosen = col.selectbox(
                common.plain(
                    f"第{level}级分组(如“{labels}”)" if level > 0 else f"带合计的分组(如“{labels}”)"
                ),
                V.SECTION_MEANINGS,
                index=V.SECTION_MEANINGS.index(meaning) if meaning else None,
                placeholder="请选择",
                key=f"section_{key}_{level}",
            )
            if chosen:
                layout = layouts.with_meaning(layout, ledger, level, chosen)

    st.markdown("**台账中没有写明时使用的值**")
    own = settings.current()
    d = layout.defaults
    cols = st.columns(4)
    for col, column, choices_list in (
        (cols[0], S.COUNTY, None),
        (cols[1], S.SECTOR, [S.UNCLASSIFIED, *own.sectors]),
        (cols[2], S.LEVEL, list(own.levels)),
        (cols[3], S.STAGE, list(S.STAGES)),
    ):
        current = d.get(column, "")
        if choices_list is None:
            value = col.text_input(column, value=current, key=f"default_{key}_{column}")
        else:
            if current and current not in choices_list:
                choices_list = [*choices_list, current]
            value = col.selectbox(
                column,
                choices_list,
                index=choices_list.index(current) if current in choices_list else None,
                placeholder="请选择",
                accept_new_options=column != S.STAGE,
                key=f"default_{key}_{column}",
            )
        if value:
            layout = layouts.with_default(layout, column, value)
    name = st.text_input(
        "台账格式名称(保存后下月自动套用)", value=layout.name, key=f"layout_name_{key}"
    )
    layout = layouts.Layout(name, layout.signature, layout.fields, layout.sections, layout.defaults)

    left_out = layouts.left_out(ledger, layout)
    if left_out:
        st.caption(common.plain(f"未导入的列({len(left_out)}列,不影响任何数字;需要时在上表中为其选择"
                                f"字段即可导入):{'、'.join(left_out)}"))  # fmt: skip
    unsettled = layouts.unsettled(ledger, layout, period)
    if unsettled:
        items = "\n".join(f"{i}. {common.plain(text)}" for i, text in enumerate(unsettled, 1))
        st.warning(f"还需确认({len(unsettled)}项):\n\n{items}", icon=":material/help:")
    elif period is not None:
        st.markdown("**预览(前5个项目,按当前映射保存后的样子)**")
        current = store.current_tables()
        sample = ledger_tables.preview(ledger, layout, period, current[0] if current else None)
        common.dataframe(sample, width="stretch")
    return {"layout": layout, "period": period}


def _index(ledger, letter: str) -> int:
    return next(c.index for c in ledger.columns if c.letter == letter)


def _period(plan: LedgerPlan, key: str) -> Period | None:
    ledger = plan.ledger
    year_default = (plan.period.year if plan.period else ledger.year) or dt.date.today().year
    st.caption(common.plain(f"报告期:{ledger.period_source}"))
    left, right, _ = st.columns([1, 1, 2])
    year = left.number_input(
        "报告期(年)", min_value=1990, max_value=2100, value=year_default, key=f"year_{key}"
    )
    month = right.selectbox(
        "报告期(月)",
        MONTHS,
        index=plan.period.month - 1 if plan.period else None,
        format_func=lambda m: f"{m}月",
        placeholder="请选择",
        key=f"month_{key}",
    )
    return Period(int(year), int(month)) if month else None


def report(result: Report) -> None:
    """The check: a summary, the findings as lines, and a download of them."""
    box = st.error if result.errors else st.warning if result.warnings else st.success
    box(result.summary())
    if not result.findings:
        return
    table = result.frame()
    common.dataframe(
        table.style.map(
            lambda v: "color: #c62828; font-weight: 600" if v == ERROR else "", subset=["级别"]
        ),
        width="stretch",
        height=min(38 * (len(table) + 1), 420),
    )
    st.download_button(
        "下载检查结果(.csv)",
        data=cells.csv_bytes(table),
        file_name="数据检查结果.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


def what_changes(result: Report) -> None:
    """Before anything is written: new projects, projects that did not report, changes."""
    if result.new_categories:
        added = ";".join(f"{c}:{'、'.join(v)}" for c, v in result.new_categories.items())
        st.info(common.plain(f"台账中有设置里没有的类别,导入后将加入本办的类别列表:{added}"),
                icon=":material/playlist_add:")  # fmt: skip
    ch = result.changes
    if not isinstance(ch, C.Changes):
        return
    st.markdown(common.plain(ch.summary()))
    tabs = st.tabs(["新增项目", "未报送", "总投资和计划的变化", "本月完成投资"])
    for tab, frame, empty in (
        (tabs[0], ch.new_projects, "没有新增项目。"),
        (tabs[1], ch.missing, "范围内的项目都已报送。"),
        (tabs[2], ch.changed, "总投资、阶段和年度计划都没有变化。"),
        (tabs[3], _amounts(ch.amounts), "本次没有月度数据。"),
    ):
        with tab:
            if frame.empty:
                st.caption(empty)
            else:
                common.dataframe(frame, width="stretch", height=min(38 * (len(frame) + 1), 320))


def _amounts(frame: pd.DataFrame) -> pd.DataFrame:
    """起始年月 shown as the months an amount covers (1-3月合计) rather than a code."""
    if frame.empty:
        return frame
    out = frame.copy()
    out[S.COVERS_FROM] = out[S.COVERS_FROM].map(
        lambda m: f"自{Period.parse(m).label}起合计" if m else "当月"
    )
    return out.rename(columns={S.COVERS_FROM: "涵盖月份"})
