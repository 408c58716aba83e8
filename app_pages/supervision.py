"""问题督办: problems followed to closure — 办结率 and days to closure by type and responsible
unit as of the period, the problems edited in a table (every save a recorded batch that roll-back
undoes), overdue ones flagged, and a 督办单 in Word per responsible unit.

In 汇报模式 two screens: 督办统计 and 问题清单 (read only)."""

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common, presentation, signin
from core.base import schema as S
from core.base.formatting import MISSING, pct, percent_decimals, round_half_up
from core.figures import project as P
from core.figures import supervision as V
from core.ingest import edits
from core.output import notices
from core.policy import roles
from core.store.versions import SUPERVISION, StoreError, VersionMoved

p = common.portfolio()
scope = common.header("问题督办")
shows = presentation.shows("supervision")

common.stop_when_scope_is_empty(p, scope)
if p.problems.empty:
    common.missing_table(S.PROBLEMS)
    st.stop()
# What this page makes of the problems, once per scope and day for every session.
KEY = ("supervision_page", scope, V.period_day(scope.period))
frame = p.memo((*KEY, "frame"), lambda: V.problems_as_of(p, scope))
if frame.empty:
    st.info("当前范围内截至报告期没有登记存在问题。", icon=":material/check_circle:")
    st.stop()
f = p.memo((*KEY, "figures"), lambda: V.figures(frame))


def days_text(days: float) -> str:
    return MISSING if pd.isna(days) else f"{round_half_up(days, 1):.1f}天"


def statistics(by: str) -> None:
    key = ("supervision_statistics", scope, by, V.period_day(scope.period))
    table = p.memo(key, lambda: V.statistics(frame, by))
    if common.presenting():  # projector type, half the screen's width: the main columns
        shown = table[[by, V.COUNT, V.CLOSED, V.OVERDUE, V.RATE, V.MEAN_DAYS]]
        presentation.table(
            shown.assign(**{V.MEAN_DAYS: shown[V.MEAN_DAYS].map(days_text)}).set_axis(
                [by, "问题数", "已办结", "超期", "办结率", "平均用时"], axis=1
            ),
            widths=[0.3, 0.13, 0.13, 0.11, 0.15, 0.18],
            numeric=("问题数", "已办结", "超期", "办结率", "平均用时"),
            formats={"办结率": "{:.1%}"},
            lines=9,
            share=0.5,
        )
        return
    number = st.column_config.NumberColumn(width=52)
    common.dataframe(
        common.shared_table(
            p,
            (*key, "screen"),
            lambda: table.assign(
                **{V.MEAN_DAYS: table[V.MEAN_DAYS].map(days_text), V.RATE: table[V.RATE] * 100}
            ),
        ),
        width="stretch",
        column_config={
            by: st.column_config.TextColumn(width="medium"),
            **{c: number for c in (V.COUNT, V.ASSIGNED, V.CLOSED, V.HANDLING, V.OVERDUE)},
            V.OVERDUE: st.column_config.NumberColumn("超期", width=52),
            V.RATE: st.column_config.ProgressColumn(
                V.RATE, format=f"%.{percent_decimals()}f%%", min_value=0, max_value=100, width=104
            ),
            V.MEAN_DAYS: st.column_config.TextColumn("平均用时", width=76),
        },
    )


if shows(0):
    # Six cards in a row on a projector; two rows of three fit 1366 pixels beside the sidebar.
    cols = st.columns(6) if common.presenting() else [*st.columns(3), *st.columns(3)]
    cols[0].metric("登记问题", f"{f.registered}个", border=True)
    cols[1].metric("已交办", f"{f.assigned}个", border=True,
                   help="已交办给责任单位的问题,含已办结的")  # fmt: skip
    cols[2].metric("已办结", f"{f.closed}个", border=True, help=f"其中已销号{f.cleared}个")
    cols[3].metric("办结率", pct(f.rate), border=True, help="已办结÷(已办结+办理中);待交办的不计")
    cols[4].metric("平均办结用时", days_text(f.mean_days), border=True,
                   help=f"从交办到办结的天数,按{f.timed}个有日期的问题计算")  # fmt: skip
    cols[5].metric("超期未办结", f"{f.overdue}个", border=True, help="未办结且已超过办结时限")
    if common.presenting():  # a projector is wide enough for both side by side
        left, right = st.columns(2)
        left.markdown("**按问题类型**")
        right.markdown("**按责任单位**")
    else:  # each table at the page's width, so that 1366 pixels show every column
        left, right = st.tabs(["按问题类型", "按责任单位"])
    with left:
        statistics(S.PROBLEM_TYPE)
    with right:
        statistics(S.RESPONSIBLE_UNIT)

if not shows(1):
    st.stop()
st.subheader("问题清单")
if common.presenting():  # read only on a projector: the open problems, most overdue first
    open_ = frame.loc[frame[V.OPEN]].sort_values([V.OVERDUE_DAYS, V.WAITED], ascending=False)
    presentation.table(
        pd.DataFrame({"项目名称": open_[S.NAME], "问题类型": open_[S.PROBLEM_TYPE],
                      "责任单位": open_[S.RESPONSIBLE_UNIT], "办结时限": open_[S.DEADLINE],
                      "超期": open_[V.OVERDUE_DAYS].map(lambda d: f"{d}天" if d else MISSING)}),
        widths=[0.38, 0.12, 0.24, 0.14, 0.12], numeric=("超期",), lines=13, what="个",
    )  # fmt: skip
    st.stop()

c1, c2 = st.columns([1, 3])
only_open = c1.toggle("只看未办结", value=True, key="supervision_open")
units = p.memo((*KEY, "units"), lambda: sorted(set(frame[S.RESPONSIBLE_UNIT]) - {""}))
chosen = c2.multiselect("责任单位", units, key="supervision_units", placeholder="全部责任单位",
                        select_all=False)  # fmt: skip


def as_day(text: pd.Series) -> pd.Series:
    return pd.to_datetime(text.where(text != ""), format="%Y-%m-%d").dt.date


def _editor_table() -> tuple[int, pd.DataFrame]:
    """The problems shown, most overdue first, as the editor's table of at most 500 rows;
    with how many there are."""
    shown = frame.loc[frame[V.OPEN]] if only_open else frame
    if chosen:
        shown = shown.loc[shown[S.RESPONSIBLE_UNIT].isin(chosen)]
    shown = shown.sort_values([V.OVERDUE_DAYS, V.WAITED], ascending=False, kind="mergesort")
    shown = shown.reset_index(drop=True)
    table = pd.DataFrame(
        {
            S.PROBLEM_ID: shown[S.PROBLEM_ID],
            S.NAME: shown[S.NAME],
            S.PROBLEM_TYPE: shown[S.PROBLEM_TYPE],
            S.PROBLEM_TEXT: shown[S.PROBLEM_TEXT],
            "超期": shown[V.OVERDUE_DAYS].map(lambda d: f"超期{d}天" if d else ""),
            S.HANDLING_STATE: shown[S.HANDLING_STATE].replace("", None),
            S.RESPONSIBLE_UNIT: shown[S.RESPONSIBLE_UNIT],
            S.ASSIGNED_ON: as_day(shown[S.ASSIGNED_ON]),
            S.DEADLINE: as_day(shown[S.DEADLINE]),
            S.CLOSED_ON: as_day(shown[S.CLOSED_ON]),
            S.CLEARED_ON: as_day(shown[S.CLEARED_ON]),
            "最新办理情况": shown[S.HANDLING_NOTES].map(V.latest_note),
            edits.NEW_NOTE: "",
            P.LINK: P.links(shown[S.CODE], scope.period),
        }
    )
    return len(table), table.head(500)


# Once per scope, day and choice of the filters for every session.
count, table = p.memo((*KEY, "editor", only_open, tuple(chosen)), _editor_table)

actor = signin.actor()
may_edit = roles.may(actor, roles.SUPERVISE)
st.caption(
    f"共{count}个问题;"
    + ("办理状态、日期和责任单位可在表中修改,“新增办理情况”填写的内容保存时加上今天的日期。"
       if may_edit else "")
    + "办理状态以数据为准:截至报告期的状态按日期计算。"
)  # fmt: skip


seen = common.editable_version(p, "修改督办信息", actor, roles.SUPERVISE)
day = st.column_config.DateColumn
edited = st.data_editor(
    table,
    key=f"supervision_editor_{p.version}_{hash(scope)}",
    hide_index=True,
    width="stretch",
    height=min(38 * (len(table) + 1), 560),
    placeholder=MISSING,
    disabled=True
    if seen is None
    else [S.PROBLEM_ID, S.NAME, S.PROBLEM_TYPE, S.PROBLEM_TEXT, "超期", "最新办理情况", P.LINK],
    column_config={
        S.PROBLEM_ID: st.column_config.TextColumn(width=90),
        S.NAME: st.column_config.TextColumn(width="medium"),
        S.PROBLEM_TYPE: st.column_config.TextColumn("类型", width=48),
        "超期": st.column_config.TextColumn(width=80),
        S.HANDLING_STATE: st.column_config.SelectboxColumn(
            options=list(S.HANDLING_STATES), width=84
        ),
        S.ASSIGNED_ON: day(format="YYYY-MM-DD", max_value=dt.date.today()),
        S.DEADLINE: day(format="YYYY-MM-DD"),
        S.CLOSED_ON: day(format="YYYY-MM-DD", max_value=dt.date.today()),
        S.CLEARED_ON: day(format="YYYY-MM-DD", max_value=dt.date.today()),
        edits.NEW_NOTE: st.column_config.TextColumn(width="medium"),
        P.LINK: st.column_config.LinkColumn(display_text="打开", width=48),
    },
)
if count > 500:
    st.caption("表中显示前500个问题(超期最久的在前);可按责任单位筛选。")

if seen is not None:
    note = st.text_input("本次修改说明(记入导入历史)", key="supervision_note",
                         placeholder="例如:2月调度会后更新办理情况")  # fmt: skip
    if st.button("保存修改", type="primary", icon=":material/save:"):
        changed = edited.assign(_row=range(1, len(edited) + 1))
        try:
            report = edits.check_problem_edits(common.store(), seen, changed, actor=actor)
            if not report.importable:
                st.error("修改存在错误,未保存:", icon=":material/error:")
                for line in report.lines():
                    st.markdown(common.plain(line.text()))
                st.stop()
            batch = edits.commit(report, common.store(), kind=SUPERVISION, actor=actor, note=note)
        except (VersionMoved, StoreError, edits.NothingToEdit, roles.Refused) as refused:
            st.error(
                common.plain(getattr(refused, "message", str(refused))), icon=":material/block:"
            )
            st.stop()
        st.session_state["supervision_done"] = (
            f"已保存为第{batch.id}批:{batch.note}。可在数据管理页回滚。"
        )
        st.rerun()
if "supervision_done" in st.session_state:
    st.success(
        common.plain(st.session_state.pop("supervision_done")), icon=":material/check_circle:"
    )

st.subheader("督办单")
open_counts = p.memo((*KEY, "open_by_unit"), lambda: V.open_by_unit(frame))
with_open = list(open_counts)
if not with_open:
    st.caption("各责任单位的问题均已办结。")
else:
    c1, c2 = st.columns([2, 3])
    unit = c1.selectbox("责任单位", with_open, key="supervision_sheet_unit",
                        format_func=lambda u: f"{u}({open_counts[u]}个未办结)")  # fmt: skip
    c2.download_button(
        "下载督办单(Word)",
        data=lambda: notices.supervision_sheet(p, scope, unit, store=common.store()),
        file_name=f"督办单_{unit}_{scope.period.label}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
        icon=":material/description:",
        type="primary",
    )
