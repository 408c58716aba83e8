"""红黑榜: the units ranked by the city's rule (settings [ranking]), the 红榜 and 黑榜, each unit's
place month by month with its move, the exemptions kept in the store, and the 通报 in Word.

In 汇报模式 two screens: 红黑榜 and 名次变化."""

import datetime as dt

import pandas as pd
import streamlit as st

from app_pages import common, presentation, signin
from core.base import schema as S
from core.base.formatting import pct, signed_points
from core.base.periods import Period
from core.figures import measures as M
from core.figures import ranking as R
from core.ingest import edits
from core.output import charts, notices
from core.policy import roles
from core.store.versions import EXEMPTION, StoreError, VersionMoved

p = common.portfolio()
scope = common.header("红黑榜")
common.stop_without_returns(p, "红黑榜(按年度计划完成率排名)")
conv = common.convention()
shows = presentation.shows("ranking")

common.stop_when_scope_is_empty(p, scope)

units = p.memo(("ranking_units",), lambda: R.unit_choices(p))  # the groupings the data carries
default = R.Rule.from_settings().unit
unit = default
if len(units) > 1 and not common.presenting():
    unit = (
        st.segmented_control(
            "排名单位",
            units,
            default=default if default in units else units[0],
            format_func=lambda u: R.UNIT_WORDS.get(u, u),
            key="ranking_unit",
            persist_state="session",
        )
        or default
    )
rule = R.Rule.from_settings(unit)
st.caption(rule.sentence(conv))
against = R.move_words(scope.period)  # 较上月, or 较上年12月 in January


def _view() -> dict:
    """What the page makes of the ranking, its moves and its history (the whole city's, as
    the ranking is): the lists' words, the tables, once per scope, rule and convention for
    every session."""
    frame = R.ranking(p, scope, rule, conv)
    if frame.empty:
        return {"frame": frame}
    moves = R.moves(p, scope, rule, conv)
    lists = []
    for which in (R.RED_LIST, R.BLACK_LIST):
        on = frame.loc[frame[R.LIST] == which]
        lines = [
            common.plain(
                f"第{r[R.PLACE]}名 {r[R.UNIT]}:{R.value_text(pd.Series(r), rule)}"
                f"({against}{moves.get(r[R.UNIT], '—')})"
            )
            for r in on.to_dict("records")
        ]
        empty = common.plain(R.list_sentence(frame, which, rule)) if on.empty else None
        lists.append(("\n\n".join([f"**{which}**", *lines]), empty))
    excused = R.exemption_sentence(frame)
    table = pd.DataFrame(
        {
            "名次": frame[R.PLACE].astype(str).where(~frame[R.UNREPORTED], "未报送"),
            rule.unit_word: frame[R.UNIT],
            against: frame[R.UNIT].map(moves),
            "项目数": frame[M.COUNT].fillna(0).astype(int),
            "完成率": frame[M.RATE].map(pct),
            "与序时进度之差": frame[M.GAP].map(signed_points),
            "开工率": frame["开工率"].map(pct),
            "榜单": frame[R.LIST],
            "豁免原因": frame[R.EXEMPT],
        }
    )
    unranked = frame.attrs.get(R.UNREPORTED, [])
    if unranked:  # not ranked on a month that would count as zero: listed, marked 未报送
        table = pd.concat(
            [table, pd.DataFrame({"名次": "未报送", rule.unit_word: unranked, "榜单": ""})],
            ignore_index=True,
        ).fillna({"豁免原因": "", against: "—"})
    history = R.history(p, scope, rule, conv)
    wide = history.pivot(index=R.UNIT, columns=R.MONTH, values=R.PLACE)
    wide.columns = [
        f"{int(m[5:])}月" if m[:4] == str(scope.period.year) else Period.parse(m).label
        for m in wide.columns
    ]
    wide = wide.reindex(frame[R.UNIT]).reset_index().rename(columns={R.UNIT: rule.unit_word})
    wide[against] = wide[rule.unit_word].map(moves)
    kept = p.exemptions.loc[p.exemptions[S.UNIT_KIND] == unit].sort_values(S.MONTH, ascending=False)
    return {
        "frame": frame,
        "lists": lists,
        "excused": common.plain(excused) if excused else None,
        "excused_title": "**豁免与未报送**" if R.unreported_sentence(frame) else "**豁免**",
        "table": common.arrow_table(table),
        "history": history,
        "months": history[R.MONTH].nunique(),
        "wide": common.arrow_table(wide),
        "kept": kept,
        "kept_table": common.arrow_table(
            kept.assign(**{S.MONTH: kept[S.MONTH].map(lambda m: Period.parse(m).label)})[
                [S.UNIT_NAME, S.MONTH, S.EXEMPT_REASON]
            ]
        ),
    }


view = p.memo(("ranking_page", scope.citywide(), rule, conv), _view)
frame = view["frame"]
if frame.empty:
    st.info(
        f"当前范围内截至报告期没有可排名的{rule.unit_word}(没有本年度计划投资的项目)。",
        icon=":material/info:",
    )
    st.stop()
value_title = (
    "开工率(%)" if rule.measure == R.START_RATE
    else "完成率(%)" if rule.measure == R.RATE
    else "完成率与序时进度之差(个百分点)"
)  # fmt: skip
title = f"{'区县' if unit == S.COUNTY else '园区'}红黑榜({R.MEASURE_NAMES[rule.measure]})"

if shows(0):
    left, right = st.columns([3, 2])
    with left:
        common.scoped_chart(
            p,
            ("unit_ranking", scope, rule, conv),
            lambda: charts.unit_ranking(frame, scope, title, value_title),
            present_height=700,
        )
    with right:
        for words, empty in view["lists"]:  # the list's name and its units, one element
            st.markdown(words)
            if empty:
                st.caption(empty)
        if view["excused"]:
            st.markdown(view["excused_title"])
            st.caption(view["excused"])

if shows(0) and not common.presenting():
    common.dataframe(view["table"], width="stretch")
    stem = f"红黑榜通报_{scope.file_label()}_{scope.period.label}"
    st.download_button(
        "下载红黑榜通报(Word)",
        data=lambda: notices.ranking_notice(p, scope, rule, conv, dt.date.today()),
        file_name=f"{stem}.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
        icon=":material/description:",
        type="primary",
    )

if not shows(1):
    st.stop()
st.subheader("名次变化")
if view["months"] < 2:
    st.caption(f"{scope.period.label}之前没有可比较的排名,本期排名从头开始,暂无名次变化。")
elif scope.period.month == 1:
    st.caption(f"1月的名次变化与{scope.period.year - 1}年12月的排名比较。")
common.scoped_chart(
    p,
    ("rank_history", scope, rule, conv),
    lambda: charts.rank_history(view["history"], scope, f"各{rule.unit_word}名次变化"),
    present_height=640,
)
if common.presenting():
    st.stop()
common.dataframe(view["wide"], width="stretch")

st.subheader("红黑榜豁免")
st.caption(f"经批准豁免的{rule.unit_word}当月不列入黑榜(仍参加排名);豁免记入导入历史,可回滚。")
kept = view["kept"]
if kept.empty:
    st.caption("还没有豁免记录。")
else:
    common.dataframe(view["kept_table"], width="stretch")
actor = signin.actor()
seen = common.editable_version(p, "登记豁免", actor, roles.EXEMPT)
if seen is not None:
    round_ = st.session_state.setdefault("exemption_round", 0)
    names = sorted(set(p.projects.loc[p.projects[unit] != "", unit]))
    c1, c2, c3 = st.columns([1, 1, 3])
    who = c1.selectbox(rule.unit_word, names, key=f"exempt_unit_{round_}")
    months = [x.key for x in p.periods()]
    month = c2.selectbox("月份", months, index=months.index(scope.period.key), key=f"exempt_month_{round_}",
                         format_func=lambda m: Period.parse(m).label)  # fmt: skip
    why = c3.text_input("豁免原因", key=f"exempt_reason_{round_}",
                        placeholder="例如:受台风灾害影响停工,经市政府同意本月不列入黑榜")  # fmt: skip
    grant, revoke, _ = st.columns([1, 1, 3])
    try:
        if grant.button("登记豁免", icon=":material/verified:", disabled=not why.strip()):
            report = edits.check_exemption(common.store(), seen, unit, who, month, why,
                                           actor=actor)  # fmt: skip
            if not report.importable:
                for line in report.lines():
                    st.error(common.plain(line.text()), icon=":material/error:")
                st.stop()
            batch = edits.commit(report, common.store(), kind=EXEMPTION, actor=actor)
            st.session_state["exemption_round"] = round_ + 1
            st.session_state["ranking_done"] = f"已登记:{batch.note}(第{batch.id}批)"
            st.rerun()
        listed = set(zip(kept[S.UNIT_NAME], kept[S.MONTH], strict=True))
        if revoke.button("撤销所选单位该月的豁免", icon=":material/undo:",
                         disabled=(who, month) not in listed):  # fmt: skip
            batch = edits.revoke_exemption(common.store(), seen, unit, who, month, actor=actor)
            st.session_state["exemption_round"] = round_ + 1
            st.session_state["ranking_done"] = f"已撤销:{batch.note}(第{batch.id}批)"
            st.rerun()
    except (VersionMoved, StoreError, edits.NothingToEdit, roles.Refused) as refused:
        st.error(common.plain(getattr(refused, "message", str(refused))), icon=":material/block:")
if "ranking_done" in st.session_state:
    st.success(common.plain(st.session_state.pop("ranking_done")), icon=":material/check_circle:")
