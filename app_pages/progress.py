"""项目进度: every project in scope against its plan, one project's curve, and the downloads."""

import streamlit as st

from app_pages import common, presentation
from core.base.formatting import percent_decimals
from core.figures import measures as M
from core.figures import progress as V
from core.figures import project as P
from core.figures import search, status
from core.output import charts, export

p = common.portfolio()
scope = common.header("项目推进情况")
common.stop_without_returns(p, "项目进度(完成率和滞后状态)")
conv = common.convention()
shows = presentation.shows("progress")  # 汇报模式: 项目清单, then 单个项目

table = M.progress_table(p, scope, conv)
if table.empty:
    common.empty_notice()
    st.stop()

if shows(0):
    st.caption(status.rule())
    counts = table[M.STATUS].value_counts()
    cols = st.columns(len(status.STATUSES) + 1)
    cols[0].metric("范围内项目", f"{len(table)}个", border=True,
                   help="当前筛选范围内的全部项目,含本年没有年度计划的(储备、申报等)")  # fmt: skip
    for col, name in zip(cols[1:], status.STATUSES, strict=True):
        col.metric(name, f"{int(counts.get(name, 0))}个", border=True)

    c1, c2, c3, c4 = st.columns([2, 2, 1, 2])
    query = c1.text_input("搜索项目", key="progress_query", placeholder=search.PLACEHOLDER)
    chosen = c2.multiselect("只看状态", status.STATUSES, key="progress_status", placeholder="全部状态",
                            select_all=False)  # fmt: skip
    order = c3.selectbox("排序", list(V.SORTS), key="progress_sort")
    more = c4.multiselect("更多列", V.MORE_COLUMNS, key="progress_columns", placeholder="形象进度、存在问题…",
                          select_all=False, persist_state="session")  # fmt: skip

    shown = p.memo(
        ("progress_shown", scope, conv, query, tuple(chosen), order),
        lambda: V.filter_and_sort(table, query, chosen, order),
    )
    page = shown.head(V.MAX_ROWS)
    st.caption(common.plain(V.count_caption(len(shown), len(table), len(page))))
    if shown.empty:
        st.info("没有符合搜索条件的项目。", icon=":material/search_off:")
        st.stop()
    elif common.presenting():  # projector type, the rows screen by screen (→ steps on)
        d = percent_decimals()  # the office's published precision ([format])
        formats = {"完成率": f"{{:.{d}f}}%", "偏差": f"{{:+.{d}f}}", "计划(亿元)": "{:.2f}",
                   "完成(亿元)": "{:.2f}"}  # fmt: skip
        presentation.table(
            V.screen_table(page)[list(V.MAIN_COLUMNS)].set_axis(
                ["项目名称", "区县", "状态", *formats], axis=1
            ),
            widths=[0.36, 0.09, 0.11, 0.11, 0.09, 0.12, 0.12],
            numeric=tuple(formats),
            formats=formats,
            lines=9,
            what="个",
        )  # fmt: skip
    else:
        screen = common.shared_table(  # shared by every session on this scope and search
            p,
            ("progress_screen", scope, conv, query, tuple(chosen), order),
            lambda: V.screen_table(page).assign(**{P.LINK: P.links(page[V.CODE], scope.period)}),
        )
        common.dataframe(
            screen,
            width="stretch",
            height=min(38 * (len(page) + 1), common.table_height()),
            # The main columns first; the link to each project's file last, and not on a
            # projector, where nobody clicks.
            column_order=[*V.MAIN_COLUMNS, *more, *([] if common.presenting() else [P.LINK])],
            phone_columns=["项目名称", "完成率", "状态", *more, P.LINK],  # the rest on a tap
            # Widths in pixels so that the seven main columns fit 1366×768 beside the sidebar.
            column_config={
                P.LINK: st.column_config.LinkColumn(display_text="打开", width=48),
                # Not pinned: a pinned column is drawn in grey like an index.
                "项目名称": st.column_config.TextColumn(width=318),
                "区县": st.column_config.TextColumn(width=66),
                # A label in the status colour (a pandas Styler cost 62 ms per 500 rows a run).
                "状态": st.column_config.MultiselectColumn(
                    options=list(status.COLORS), color=list(status.COLORS.values()), width=96
                ),
                "完成率": st.column_config.ProgressColumn(
                    "完成率",
                    format=f"%.{percent_decimals()}f%%",
                    min_value=0,
                    max_value=100,
                    width=118,
                ),
                "偏差(个百分点)": st.column_config.NumberColumn(
                    "偏差",
                    help="完成率与序时进度之差(个百分点)",
                    format=f"%+.{percent_decimals()}f",
                    width=64,
                ),
                "年度计划(亿元)": st.column_config.NumberColumn(
                    "计划(亿元)", help="本年度计划投资(亿元)", format="%.2f", width=92
                ),
                "累计完成(亿元)": st.column_config.NumberColumn(
                    "完成(亿元)", help="本年累计完成投资(亿元)", format="%.2f", width=92
                ),
                "总投资(亿元)": st.column_config.NumberColumn(format="%.2f"),
                "形象进度": st.column_config.TextColumn(width="medium"),
                "存在问题": st.column_config.TextColumn(width="large"),
            },
        )

if shows(0) and not common.presenting():  # no downloads on a projector
    stem = f"项目进度_{scope.file_label()}_{scope.period.label}"
    files = (
        ("下载Excel", export.progress_xlsx, "xlsx",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("下载CSV", export.progress_csv, "csv", "text/csv"),
    )  # fmt: skip
    for col, (label, make, ext, mime) in zip(st.columns([1, 1, 4]), files, strict=False):
        col.download_button(
            label,
            data=lambda make=make: make(shown, scope),
            file_name=f"{stem}.{ext}",
            mime=mime,
            on_click="ignore",
            icon=":material/download:",
            disabled=shown.empty,
        )

if not shows(1):
    st.stop()
if common.presenting():  # this screen alone: the list as it opens, the most behind first
    query, chosen, order = "", [], "落后最多在前"
    shown = V.filter_and_sort(table, query, chosen, order)
    page = shown.head(V.MAX_ROWS)
st.subheader("单个项目")


def _planned():
    """The listed projects with an annual plan, by their label in the picker."""
    planned = page.loc[page[M.PLAN] > 0]
    return planned, dict(zip(planned[V.LABEL_KEY], planned.index, strict=True))


planned, labels = p.memo(("progress_planned", scope, conv, query, tuple(chosen), order), _planned)
if planned.empty:
    st.info("筛选出的项目本年都没有年度计划投资,无法绘制进度曲线。", icon=":material/info:")
    st.stop()
pick = st.selectbox(
    "选择项目", list(labels), key="progress_project", placeholder="选择一个项目查看月度进度"
)
row = planned.loc[labels[pick]]
left, right = st.columns([3, 2])
with left:
    common.scoped_chart(
        p,
        ("project_curve", row[V.CODE], scope),
        lambda: charts.project_curve(
            M.project_curve(p, row[V.CODE], scope.period), scope, row[V.NAME]
        ),
    )
with right:
    # The project's figures, one element (a paragraph each).
    st.markdown(
        "\n\n".join(f"**{label}**:{common.plain(value)}" for label, value in V.detail_rows(row))
    )
    st.page_link("app_pages/project.py", label="打开项目档案", icon=":material/folder_open:",
                 query_params={"code": row[V.CODE], "period": scope.period.key})  # fmt: skip
