"""会议议程: meeting agendas — ordered views (a page at its filters) — saved in the store,
presented in 汇报模式 and downloaded as a 16:9 slide deck."""

from urllib.parse import quote

import streamlit as st

from app_pages import common, presentation, signin
from app_pages.filters import not_presented
from core.base import schema as S
from core.base import settings
from core.figures import measures as M
from core.figures.scope import ALL
from core.output import agenda as A
from core.output import deck, pages
from core.policy import roles

p = common.portfolio()
scope = common.header("会议议程")
not_presented("会议议程")  # an agenda is edited here, and presented from its link
conv = common.convention()
agendas = A.Agendas(common.store())
actor = signin.actor()
may_save = roles.may(actor, roles.AGENDAS)
levels = [ALL, *settings.current().levels]
stages = [ALL, *S.STAGES]
# The presented pages, and 项目档案 (a view of one project, named by its 项目代码).
PROJECT_TITLE = pages.get(A.PROJECT_PAGE).title
page_titles = [*pages.titles().values(), PROJECT_TITLE]
by_title = {t: k for k, t in pages.titles().items()} | {PROJECT_TITLE: A.PROJECT_PAGE}
EDITOR_KEY = "agenda_editor"
NEW = "(新建议程)"

st.caption(
    "议程是一组按顺序汇报的视图,每一项是一个页面和它的筛选条件。保存后可用链接打开,"
    "在汇报模式下逐屏翻页;“下载汇报材料”生成同样内容的16:9幻灯片(.pptx)。"
    "报告期不存入议程:汇报时使用左侧所选的报告期。"
)


def rows_of(agenda: A.Agenda) -> list[dict]:
    return [
        {
            "页面": v.page_title,
            "区县": list(v.counties),
            "行业领域": list(v.sectors),
            "项目级别": v.level or ALL,
            "项目阶段": v.stage or ALL,
            "项目代码": v.code,
        }
        for v in agenda.views
    ]


def views_of(rows) -> tuple[A.View, ...]:
    views = []
    for r in rows:
        if not r.get("页面"):
            continue
        if by_title.get(r["页面"]) == A.PROJECT_PAGE:
            views.append(A.View.of_project(str(r.get("项目代码") or "")))
            continue
        views.append(
            A.View(
                page=by_title.get(r["页面"], r["页面"]),
                counties=tuple(r.get("区县") or ()),
                sectors=tuple(r.get("行业领域") or ()),
                level=None if r.get("项目级别") in (None, "", ALL) else r["项目级别"],
                stage=None if r.get("项目阶段") in (None, "", ALL) else r["项目阶段"],
            )
        )
    return tuple(views)


def example_agenda() -> A.Agenda:
    ranking = M.county_ranking(p, scope.citywide(), conv)
    behind = ranking.loc[ranking[M.GAP] < 0].tail(3)[S.COUNTY].tolist()[::-1]
    industry = settings.current().industry_sectors
    return A.example(behind, industry[0] if industry else None)


names = agendas.names()
left, right = st.columns([2, 3])
chosen = left.selectbox("选择议程", [NEW, *names], key="agenda_choice")
if chosen == NEW:
    start_from = left.radio(
        "新建方式",
        ["从示例开始(全市总览→落后三县→产业项目进度→要素保障)", "空白议程"],
        key="agenda_new_kind",
    )
    current = example_agenda() if start_from.startswith("从示例") else A.Agenda("", ())
    default_name = f"{scope.period.month}月调度会" if current.views else ""
else:
    current = agendas.get(chosen) or A.Agenda(chosen, ())
    default_name = chosen
name = right.text_input(
    "议程名称", value=default_name, key=f"agenda_name_{chosen}", max_chars=A.MAX_NAME
)

st.markdown("**议程内容**(可增删行;按行的先后汇报)")
edited = st.data_editor(
    rows_of(current),
    key=f"{EDITOR_KEY}_{chosen}",
    num_rows="dynamic",
    width="stretch",
    hide_index=True,
    column_config={
        "页面": st.column_config.SelectboxColumn(options=page_titles, required=True, width=130),
        "区县": st.column_config.MultiselectColumn(options=p.counties, width="medium"),
        "行业领域": st.column_config.MultiselectColumn(options=p.sectors, width="medium"),
        "项目级别": st.column_config.SelectboxColumn(options=levels, required=True, width=110),
        "项目阶段": st.column_config.SelectboxColumn(options=stages, required=True, width=110),
        "项目代码": st.column_config.TextColumn(help="页面为“项目档案”时填写", width="medium"),
    },
)
draft = A.Agenda(name.strip(), views_of(edited))
problems = A.check(draft, p.counties, p.sectors, p.projects[S.CODE])


def link_name(name: str) -> str:
    """The agenda's name as the link shows it: readable (「3月调度会」, not %E6%9C%88…); only
    the characters that would end or change the query value are percent-encoded. A browser
    encodes the rest itself when the link is opened."""
    return "".join(quote(c, safe="") if c in "&#%+=? " or not c.isprintable() else c for c in name)


def save(agenda: A.Agenda) -> None:
    try:
        agendas.save(agenda, actor=signin.actor())
    except roles.Refused as refused:
        st.session_state["agenda_refused"] = refused.message
        return
    st.session_state["agenda_choice"] = agenda.name
    st.toast(common.plain(f"已保存议程“{agenda.name}”"), icon=":material/check:")


def delete(name: str) -> None:
    try:
        agendas.delete(name, actor=signin.actor())
    except roles.Refused as refused:
        st.session_state["agenda_refused"] = refused.message
        return
    st.session_state["agenda_choice"] = NEW


if "agenda_refused" in st.session_state:
    st.error(common.plain(st.session_state.pop("agenda_refused")), icon=":material/block:")
c1, c2, c3, c4 = st.columns(4)
if may_save:
    c1.button("保存议程", icon=":material/save:", type="primary", disabled=bool(problems),
              on_click=save, args=(draft,))  # fmt: skip
saved = agendas.get(draft.name) if draft.name else None
c2.button(
    "开始汇报",
    icon=":material/slideshow:",
    on_click=presentation.start,
    args=(draft.name,),
    disabled=saved is None,
    help="按已保存的议程进入汇报模式,从第一项开始",
)
c3.download_button(
    "下载汇报材料(.pptx)",
    data=lambda: deck.pptx_bytes(p, draft, scope.period, conv, common.store()),
    file_name=f"{draft.name or '汇报材料'}_{scope.period.label}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    on_click="ignore",
    icon=":material/download:",
    disabled=bool(problems),
)
if saved is not None and may_save:
    c4.button("删除议程", icon=":material/delete:", on_click=delete, args=(saved.name,))
if not may_save:
    st.caption("保存和删除议程需要以管理员账户登录;未保存的议程也可以下载汇报材料。")

for problem in problems:
    st.caption(common.plain(problem))
if saved is not None:
    st.markdown("**汇报链接**(发给主持人,打开即进入汇报模式)")
    base = str(st.context.url or "").split("?")[0].removesuffix("agenda").rstrip("/")
    st.code(f"{base}/?{presentation.AGENDA_PARAM}={link_name(saved.name)}", language=None)
    if draft != saved:
        st.caption("议程内容有未保存的修改;链接打开的是已保存的版本。")
