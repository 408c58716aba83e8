"""在线填报: a county reporter enters the month's figures of its projects in a form — the month's
amount or the year to date (the other is worked out), 形象进度 and a problem met — pre-filled with
last month's figures (core.figures.collection.form_rows). 检查 checks it like an upload, each
finding beside its row; 保存草稿 keeps it to be finished later (core.store.drafts); 提交 writes
it as one batch (core.ingest.edits.submit_return), after which 报送情况 counts the county as
reported. Core decides who may: a reporter its own counties only, an admin any."""

import pandas as pd
import streamlit as st

from app_pages import common, signin
from core.base import schema as S
from core.base.periods import Period
from core.figures import collection as C
from core.figures.scope import Scope
from core.ingest import edits
from core.output import returns
from core.policy import roles
from core.store import drafts
from core.store.versions import StoreError, VersionMoved

# What is entered next to what it follows; the code, which findings do not need, last.
ORDER = (S.NAME, S.ANNUAL_PLAN, C.BEFORE, C.LAST_TEXT, S.MONTH_COMPLETED, S.MONTH_CUMULATIVE,
         C.DERIVED, S.PROGRESS_TEXT, C.NEW_PROBLEM, C.CHECKED, S.CODE)  # fmt: skip
FORM_KEY = "filling_form"  # the form as last checked or loaded: {"key", "frame", "n"}
DONE_KEY = "filling_done"

actor = signin.allowed(roles.IMPORT)  # a reporter or an admin; core asks again on every write
p = common.portfolio()
st.title("在线填报")
seen = common.editable_version(p, "在线填报", actor, roles.IMPORT)
if seen is None:
    st.stop()
if DONE_KEY in st.session_state:
    st.success(common.plain(st.session_state.pop(DONE_KEY)), icon=":material/check_circle:")

own = roles.counties_of(actor)
counties = [c for c in p.counties if own is None or c in own]
if not counties:
    st.info(
        common.plain(f"数据中没有{'、'.join(own or ()) or '本账户'}的项目,无可填报的内容。"),
        icon=":material/info:",
    )
    st.stop()
left, right = st.columns(2)
county = left.selectbox("区县", counties, key="filling_county")
newest = p.periods()[0]
following = newest.shift(1)
behind = len(returns.open_projects(p, Scope(newest, counties=(county,), level=None), county))
with right:
    month = st.segmented_control(
        "报送月份",
        [newest.key, following.key],
        default=newest.key if behind else following.key,
        format_func=lambda m: Period.parse(m).label,
        key=f"filling_month_{county}",
    )
period = Period.parse(month or (newest.key if behind else following.key))
store = common.store()
key = (county, period.key, seen)

state = st.session_state.get(FORM_KEY)
if state is None or state["key"] != key:
    frame = C.form_rows(p, period, county)
    draft = drafts.get(store, county, period.key, actor=actor)
    if draft is not None and not draft.submitted:
        kept = pd.DataFrame(draft.rows)
        if S.CODE in kept:
            kept = kept.drop_duplicates(S.CODE).set_index(S.CODE)
            for column in C.FORM_ENTERED:
                if column in kept:
                    values = frame[S.CODE].map(kept[column]).astype(object)
                    frame[column] = values.where(values.notna(), frame[column]).astype(object)
        frame[S.PROGRESS_TEXT] = frame[S.PROGRESS_TEXT].fillna("")
        frame[C.NEW_PROBLEM] = frame[C.NEW_PROBLEM].fillna("")
    frame[C.CHECKED] = ""
    state = {"key": key, "frame": frame, "n": 0, "draft": draft}
    st.session_state[FORM_KEY] = state
frame, draft = state["frame"], state["draft"]

if frame.empty:
    st.info(
        common.plain(
            f"{county}没有{period.label}应报送月度进度的项目"
            "(应报送:本年有年度计划投资、已开工且尚未竣工的项目)。"
        ),
        icon=":material/info:",
    )
    st.stop()

st.caption(common.plain(C.deadline_sentence(period)))
if draft is not None and draft.submitted:
    st.caption(
        common.plain(
            f"{county}{period.label}的填报已于{draft.submitted_at:%Y-%m-%d %H:%M}提交"
            f"(第{draft.batch_id}批);如需更正,修改后再次提交。"
        )
    )
elif draft is not None:
    st.caption(
        common.plain(
            f"已载入{draft.user}于{draft.saved_at:%Y-%m-%d %H:%M}保存的草稿,可继续填写后提交。"
        )
    )
st.markdown(
    common.plain(
        f"{county}共{len(frame)}个项目应报送{period.label}月度进度。每个项目填写“本月完成投资”"
        f"或“本年累计完成投资”其中一项(另一项自动推算),并填写本月形象进度;"
        f"{'形象进度必须填写;' if edits.progress_text_required() else ''}"
        "有新发现的问题可填在“新发现问题”中。金额单位为万元。"
    )
)

shown = frame.copy()
shown[C.DERIVED] = [
    C.derived_text(b, a, t)
    for b, a, t in zip(shown[C.BEFORE], shown[S.MONTH_COMPLETED], shown[S.MONTH_CUMULATIVE],
                       strict=True)
]  # fmt: skip
shown = shown[[*C.FORM_COLUMNS, C.DERIVED, C.CHECKED]]
for column in (S.MONTH_COMPLETED, S.MONTH_CUMULATIVE):
    shown[column] = pd.to_numeric(shown[column], errors="coerce")
money = st.column_config.NumberColumn
edited = st.data_editor(
    shown,
    key=f"filling_editor_{county}_{period.key}_{state['n']}",
    hide_index=True,
    width="stretch",
    height=min(38 * (len(shown) + 1), 600),
    num_rows="fixed",
    placeholder="",
    disabled=[*C.FORM_CARRIED, C.DERIVED, C.CHECKED],
    column_order=ORDER,
    column_config={
        S.CODE: st.column_config.TextColumn(width=120),
        S.NAME: st.column_config.TextColumn(width="medium"),
        S.ANNUAL_PLAN: money("年度计划", format="%.2f", width=90),
        C.BEFORE: money("上月末本年累计", format="%.2f", width=110),
        C.LAST_TEXT: st.column_config.TextColumn(width=100),
        S.MONTH_COMPLETED: money(format="%.2f", width=140),
        S.MONTH_CUMULATIVE: money(format="%.2f", width=170),
        C.DERIVED: st.column_config.TextColumn(width=140),
        S.PROGRESS_TEXT: st.column_config.TextColumn("本月形象进度", width=140),
        C.NEW_PROBLEM: st.column_config.TextColumn(width=140),
        C.CHECKED: st.column_config.TextColumn(width="large"),
    },
)
entered = edited[list(C.FORM_COLUMNS)].copy()
for column in (S.MONTH_COMPLETED, S.MONTH_CUMULATIVE):
    entered[column] = entered[column].astype(object).where(entered[column].notna(), None)
for column in (S.PROGRESS_TEXT, C.NEW_PROBLEM):
    entered[column] = entered[column].fillna("").astype(str)


def _beside(report) -> pd.DataFrame:
    """The form with each finding in its row's 检查意见; the rest listed under the table."""
    out = entered.copy()
    notes: dict[int, list[str]] = {}
    for f in report.findings:
        if f.row:
            column = f"“{f.column}”" if f.column else ""
            notes.setdefault(int(f.row), []).append(f"【{f.level}】{column}{f.message}")
    out[C.CHECKED] = [";".join(notes.get(i, [])) for i in range(1, len(out) + 1)]
    return out


def _keep(frame: pd.DataFrame, draft=None) -> None:
    state["frame"] = frame
    state["n"] += 1
    if draft is not None:
        state["draft"] = draft


check, save, submit = st.columns(3)
try:
    if check.button("检查", icon=":material/rule:", key="filling_check"):
        report = edits.check_return(store, seen, county, period, entered, actor=actor,
                                    final=False)  # fmt: skip
        _keep(_beside(report))
        st.session_state["filling_findings"] = [line.text() for line in report.lines()] or [
            "检查完毕,未发现问题。"
        ]
        st.rerun()
    if save.button("保存草稿", icon=":material/save:", key="filling_save"):
        kept = drafts.save(store, county, period.key, entered.to_dict("records"), actor=actor)
        _keep(entered.assign(**{C.CHECKED: ""}), kept)
        st.session_state[DONE_KEY] = (
            f"草稿已保存({kept.saved_at:%Y-%m-%d %H:%M}),可稍后回到本页继续填写;提交前不计入报送。"
        )
        st.rerun()
    if submit.button("提交", type="primary", icon=":material/send:", key="filling_submit"):
        report = edits.check_return(store, seen, county, period, entered, actor=actor)
        if not report.importable:
            _keep(_beside(report))
            st.session_state["filling_findings"] = ["填报内容存在错误,未提交:"] + [
                line.text() for line in report.lines()
            ]
            st.rerun()
        batch = edits.submit_return(report, store, county, period, entered, actor=actor)
        st.session_state.pop(FORM_KEY, None)
        st.session_state[DONE_KEY] = (
            f"已提交为第{batch.id}批:{batch.note}。{county}{period.label}的月度进度已报送,"
            "可在“报送情况”页查看;如有错误可在数据管理页回滚。"
            + (f"另有{len(report.warnings)}条提示,请核对。" if report.warnings else "")
        )
        st.rerun()
except edits.NothingToEdit as nothing:
    st.warning(common.plain(str(nothing)), icon=":material/info:")
except (VersionMoved, StoreError, roles.Refused) as refused:
    st.error(common.plain(getattr(refused, "message", str(refused))), icon=":material/block:")

found = st.session_state.pop("filling_findings", None)
if found:
    with st.container(border=True):
        st.markdown("**检查结果**")
        for line in found:
            st.markdown(common.plain(line))
