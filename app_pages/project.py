"""项目档案 (一项目一档): one project's whole story, /project?code=…&period=… — its card, this
year against plan and 序时, the years since it started, 形象进度 month by month, problems and
their 督办, nodes, funding, alerts and every recorded change. Reached from the project tables
and from its own search; not in the menu."""

import base64
import html
import math

import pandas as pd
import streamlit as st

from app_pages import common, presentation, signin
from core.base import schema as S
from core.base.formatting import MISSING, pct, signed_points, yi_two_decimals
from core.figures import alerts as A
from core.figures import milestones as N
from core.figures import project as P
from core.figures import supervision as V
from core.output import pages, project_charts, project_file
from core.policy import roles
from core.store import datasource, photos
from core.store.project_history import project_changes
from core.store.versions import StoreError

p = common.portfolio()
scope = common.scope()
conv = common.convention()
code = (st.query_params.get("code") or "").strip()

st.title("项目档案")
common.url_notices()


def search_box() -> None:
    """Find a project by name, code or owner; choosing one opens its file."""
    query = st.text_input("查找项目", key="project_search",
                          placeholder="输入项目名称、项目代码或建设单位中的文字")  # fmt: skip
    if not query.strip():
        return
    found = P.search(p, query)
    if found.empty:
        st.info("没有找到符合条件的项目。", icon=":material/search_off:")
        return
    common.dataframe(
        found.assign(档案=[P.page_url(c, scope.period) for c in found[S.CODE]]),
        width="stretch",
        column_order=["档案", S.NAME, S.COUNTY, S.OWNER, S.CODE],
        column_config={"档案": st.column_config.LinkColumn("档案", display_text="打开", width=56)},
    )
    labels = dict(zip(found[S.CODE], found[S.NAME] + "(" + found[S.CODE] + ")", strict=True))
    pick = st.selectbox("打开项目", list(labels), format_func=labels.get, index=None,
                        key="project_pick", placeholder="选择一个项目打开其档案")  # fmt: skip
    if pick and pick != code:
        st.query_params["code"] = pick
        st.rerun()


if not common.presenting():
    with st.expander("查找其他项目", expanded=not code):
        search_box()
if not code:
    st.info("请在上方查找项目,或在项目进度、问题督办、挂图作战、要素保障等页面的项目清单中点击“档案”打开。",
            icon=":material/folder_open:")  # fmt: skip
    st.stop()
f = P.project_file(p, code, scope.period, conv)
if f is None:
    st.warning(common.plain(f"没有项目代码为“{code}”的项目。请检查链接,或在上方查找项目。"),
               icon=":material/search_off:")  # fmt: skip
    st.stop()

row = P.find(p, code)
own_scope = project_charts.scope_of(f, row)
from_store = datasource.store_version(p.version) is not None


# --- 汇报模式: the file in screens (core.output.pages.PROJECT_SCREENS), → steps on ------------
PHOTOS_PER_SCREEN = 2
PHOTO_HEIGHT = 600  # px at 1920×1080: a photo with the title, its caption and the bar fits
PHOTO_MIN_HEIGHT = 360  # px: however long the month's 形象进度
PHOTO_TEXT_MAX = 450  # characters of the month's 形象进度 above its photos (seven lines)


def _photo_screen(month_photos: photos.MonthPhotos, said: str) -> None:
    """The latest month's photos large, two to a part of the screen, → steps to the next."""
    n = len(month_photos.pictures)
    parts = math.ceil(n / PHOTOS_PER_SCREEN)
    part = presentation.part_on_view(parts)
    first = part * PHOTOS_PER_SCREEN
    month = P.month_label(month_photos.month)
    if (
        len(said) > PHOTO_TEXT_MAX
    ):  # the whole text is on the 形象进度 of the page and the Word file
        said = said[: PHOTO_TEXT_MAX - 1] + "…"
    st.markdown(f"**{month}形象进度**:" + common.plain(said or MISSING))
    # A 形象进度 of more than one line (24 px type, about 70 characters a line at 1920) takes
    # its lines from the photos' height, so that the screen still fits.
    lines = math.ceil(len(f"{month}形象进度:{said}") / 70)
    height = max(PHOTO_MIN_HEIGHT, PHOTO_HEIGHT - 40 * (lines - 1))
    cells = []
    for i, picture in enumerate(month_photos.pictures[first : first + PHOTOS_PER_SCREEN], first):
        src = "data:image/jpeg;base64," + base64.b64encode(picture).decode()
        caption = html.escape(f"{month}现场照片 第{i + 1}/{n}张")
        cells.append(
            f"<figure style='margin:0;flex:1;text-align:center'><img src='{src}' alt='{caption}'"
            f" style='max-width:100%;max-height:{height}px;object-fit:contain'>"
            f"<figcaption style='font-size:24px;margin-top:0.3rem'>{caption}</figcaption></figure>"
        )
    counter = f"第{part + 1}/{parts}页" + ("(按 → 翻页)" if part + 1 < parts else "")
    st.html(
        f"<div class='present-photos' style='display:flex;gap:1.5rem;align-items:flex-start'>"
        f"{''.join(cells)}</div><div class='present-part'>{html.escape(counter)}</div>"
    )


def present_file() -> None:
    """The screen of the file on view in 汇报模式, each fitting 1920×1080 (and, scaled, 1366×768
    and 1280×720) without scrolling; a long table or the photos continue on → ."""
    show = presentation.shows("project")
    screen = next((i for i in range(len(pages.PROJECT_SCREENS)) if show(i)), 0)
    st.subheader(common.plain(f"{f.name} · {pages.PROJECT_SCREENS[screen]}"))
    st.caption(common.plain(f"项目代码{f.code} · {f.county} · {f.period.as_of}"))
    if screen == 0:  # 概况: the card, this year's figures and the years since it started
        with st.container(border=True):
            cols = st.columns(3)
            for i, (label, value) in enumerate(f.card):
                cols[i % 3].markdown(f"**{label}**:{common.plain(value or MISSING)}")
        c = st.columns(4)
        c[0].metric("年度计划投资", yi_two_decimals(f.plan) if f.has_plan else "无年度计划",
                    border=True)  # fmt: skip
        c[1].metric(f"{f.period.ytd_label}累计完成", yi_two_decimals(f.done), border=True)
        c[2].metric("完成率", pct(f.rate), signed_points(f.gap) if f.has_plan else None,
                    border=True, delta_arrow="off")  # fmt: skip
        c[3].metric("状态", f.status, border=True)
        c = st.columns(4)
        c[0].metric("总投资", yi_two_decimals(f.total_investment), border=True)
        c[1].metric("开工至上年底累计完成", yi_two_decimals(f.prior_cumulative), border=True)
        c[2].metric("开工至今累计完成", yi_two_decimals(f.since_start), border=True)
        c[3].metric("占总投资", pct(f.share_of_total), border=True)
    elif screen == 1:  # 本年进度
        if f.coverage:
            st.caption(f.coverage)
        if len(f.curve):
            common.scoped_chart(p, ("project_file_curve", code, scope.period, conv),
                                lambda: project_charts.curve(f, own_scope), present_height=640)  # fmt: skip
        else:
            st.info("截至报告期没有月度报送。", icon=":material/info:")
    elif screen == 2:  # 形象进度: the latest month's photos, else the months' text
        latest = None
        if from_store:
            try:
                latest = photos.latest(common.store(), code, scope.period.key)
            except StoreError:
                st.warning("暂时无法读取现场照片,请稍后再试。", icon=":material/error:")
        if latest is not None:
            said = f.progress.loc[f.progress[S.MONTH] == latest.month, S.PROGRESS_TEXT]
            _photo_screen(latest, str(said.iloc[-1]).strip() if len(said) else "")
        elif f.progress.empty:
            st.info("截至报告期没有月度报送。", icon=":material/info:")
        else:
            timeline = f.progress.iloc[::-1]
            presentation.table(
                pd.DataFrame({"月份": timeline[P.MONTH_LABEL],
                              "形象进度": timeline[S.PROGRESS_TEXT].replace("", MISSING)}),
                widths=[0.2, 0.8], what="个月", lines=presentation.TABLE_LINES + 2,
            )  # fmt: skip
    elif screen == 3:  # 问题与督办
        if f.problems.empty:
            st.info("截至报告期没有登记存在问题。", icon=":material/check_circle:")
        else:
            pr = f.problems
            presentation.table(
                pd.DataFrame({"问题描述": pr[S.PROBLEM_TEXT], "责任单位": pr[S.RESPONSIBLE_UNIT],
                              "办结时限": pr[S.DEADLINE], "状态": pr[V.STATE],
                              "办理情况": pr[S.HANDLING_NOTES]}).replace("", MISSING),
                widths=[0.32, 0.14, 0.13, 0.11, 0.30], what="个问题",
            )  # fmt: skip
    elif screen == 4:  # 节点计划
        if f.nodes.empty:
            st.info("该项目没有节点计划。", icon=":material/info:")
        else:
            common.scoped_chart(p, ("project_file_gantt", code, scope.period),
                                lambda: project_charts.gantt(f, own_scope), present_height=640)  # fmt: skip
    elif screen == 5:  # 资金来源
        if f.funding.empty:
            st.info("截至报告期没有已落实资金的记录。", icon=":material/info:")
        else:
            presentation.table(
                pd.DataFrame({"资金来源": f.funding[S.FUNDING_SOURCE],
                              "落实金额": f.funding[S.FUNDING_AMOUNT].map(yi_two_decimals)}),
                widths=[0.6, 0.4], numeric=("落实金额",), what="项",
            )  # fmt: skip
            st.caption(f"合计{yi_two_decimals(float(f.funding[S.FUNDING_AMOUNT].sum()))}")
    elif screen == 6:  # 当前预警
        if f.alerts.empty:
            st.success("截至报告期没有预警。", icon=":material/check_circle:")
        else:
            presentation.table(f.alerts[[A.LEVEL, A.RULE, A.REASON]], widths=[0.12, 0.23, 0.65],
                               what="条")  # fmt: skip
    else:  # 变更记录
        if not from_store:
            st.caption("当前数据来自示例数据或数据文件夹,没有导入和修改的历史记录。")
            return
        try:
            changes = p.memo(("project_history", code),
                             lambda: project_changes(common.store(), code))  # fmt: skip
        except StoreError:
            st.warning("暂时无法读取修改记录,请稍后再试。", icon=":material/error:")
            return
        history = P.history_table(changes)
        if history.empty:
            st.caption("数据库中没有该项目的修改记录。")
        else:
            presentation.table(history, widths=[0.1, 0.17, 0.13, 0.16, 0.44], what="条")


if common.presenting():
    present_file()
    st.stop()
st.subheader(common.plain(f.name))
st.markdown(common.plain(f"项目代码{f.code} · {f.county} · {f.period.as_of}"))
st.caption("项目档案按左侧所选报告期和序时进度口径计算,不受区县、行业领域、级别等筛选条件影响。")

# --- 基本情况 ------------------------------------------------------------------------------
with st.container(border=True):
    cols = st.columns(3)
    for i, (label, value) in enumerate(f.card):
        cols[i % 3].markdown(f"**{label}**:{common.plain(value)}")

# --- 本年度 -------------------------------------------------------------------------------
st.subheader(f"{f.period.year}年投资完成情况")
c = st.columns(4)
c[0].metric("年度计划投资", yi_two_decimals(f.plan) if f.has_plan else "无年度计划", border=True)
c[1].metric(f"{f.period.ytd_label}累计完成", yi_two_decimals(f.done), border=True)
c[2].metric(
    "完成率",
    pct(f.rate),
    signed_points(f.gap) if f.has_plan else None,
    help=f"与序时进度{pct(f.schedule)}之差({conv.label})",
    border=True,
    delta_arrow="off",
)
c[3].metric("状态", f.status, border=True)
if f.coverage:
    st.caption(f.coverage)
if len(f.curve):
    common.scoped_chart(
        p,
        ("project_file_curve", code, scope.period, conv),
        lambda: project_charts.curve(f, own_scope),
    )

st.subheader("开工以来")
c = st.columns(4)
c[0].metric("总投资", yi_two_decimals(f.total_investment), border=True)
c[1].metric("开工至上年底累计完成", yi_two_decimals(f.prior_cumulative), border=True,
            help=f.prior_source)  # fmt: skip
c[2].metric("开工至今累计完成", yi_two_decimals(f.since_start), border=True)
c[3].metric("占总投资", pct(f.share_of_total), border=True)

# --- 形象进度 ------------------------------------------------------------------------------
st.subheader("形象进度")
if f.progress.empty:
    st.info("截至报告期没有月度报送。", icon=":material/info:")
else:
    timeline = f.progress.iloc[::-1]
    common.dataframe(
        pd.DataFrame(
            {
                "月份": timeline[P.MONTH_LABEL],
                "本月完成(万元)": timeline[P.AMOUNT],
                "形象进度": timeline[S.PROGRESS_TEXT].replace("", MISSING),
                "说明": timeline[P.COVERED],
            }
        ),
        width="stretch",
        height=min(38 * (len(timeline) + 1), 420),
        column_config={
            "本月完成(万元)": st.column_config.NumberColumn(format="%.2f", width=110),
            "形象进度": st.column_config.TextColumn(width="large"),
        },
    )

# --- 现场照片 ------------------------------------------------------------------------------
PHOTO_MONTHS = 6  # months of photos shown, the latest first


def originals(shown: pd.DataFrame) -> None:
    """For an admin: the files as they were uploaded (they still hold the phone's position),
    one at a time, read only when its download is clicked."""
    actor = signin.actor()
    kept = shown.loc[shown["original_name"] != ""]
    if kept.empty or not roles.may(actor, roles.IMPORT_ANY) or common.presenting():
        return
    with st.expander("下载原始照片文件(仅管理员)", icon=":material/download:"):
        st.caption("原始文件为上传时的原样,可能含拍摄位置、设备等信息,请勿对外提供。")
        labels = {
            int(r.id): f"{P.month_label(r.month)} · {r.original_name}(第{r.batch_id}批上传)"
            for r in kept.iloc[::-1].itertuples(index=False)
        }
        pick = st.selectbox("照片", list(labels), format_func=labels.get, key="photo_original")
        name = kept.loc[kept["id"] == pick, "original_name"].iloc[0]
        st.download_button(
            "下载原始文件",
            data=lambda: (photos.original(common.store(), actor, pick) or ("", b""))[1],
            file_name=name, mime="application/octet-stream", on_click="ignore",
            icon=":material/download:", key="photo_original_download",
        )  # fmt: skip


PHOTO_WIDTH = 240
st.subheader("现场照片")
site_photos: list[tuple[str, bytes]] = []  # this period's, for the Word file
if not from_store:
    st.caption("现场照片保存在数据库中:导入本办的数据后可上传和查看。")
else:
    try:
        listing = photos.listed(common.store(), code)  # not cached: an upload shows at once
    except StoreError:
        listing = None
        st.warning("暂时无法读取现场照片,请稍后再试。", icon=":material/error:")
    if listing is not None:
        listing = listing.loc[listing["month"] <= scope.period.key]
        months = sorted(set(listing["month"]), reverse=True)[:PHOTO_MONTHS]
        if not months:
            st.caption("截至报告期还没有上传现场照片。")
        wanted = listing.loc[listing["month"].isin(months)]
        pictures = photos.images(common.store(), list(wanted["id"]))
        for month in months:
            ids = list(wanted.loc[wanted["month"] == month, "id"])
            st.markdown(f"**{P.month_label(month)}**({len(ids)}张)")
            st.image([pictures[i] for i in ids], width=PHOTO_WIDTH)
            if month == scope.period.key:
                site_photos = [(P.month_label(month), pictures[i]) for i in ids]
        originals(listing.loc[listing["month"].isin(months)])
    actor = signin.actor()
    own = roles.counties_of(actor) if roles.may(actor, roles.IMPORT) else ()
    if own is None or f.county in (own or ()):
        with st.expander("上传现场照片", icon=":material/add_a_photo:"):
            st.caption(photos.limits_sentence())
            choices = sorted(set(f.progress[S.MONTH]) | {scope.period.key}, reverse=True)
            month = st.selectbox("照片所属月份", choices, format_func=P.month_label,
                                 key="photo_month")  # fmt: skip
            round_ = st.session_state.get("_photo_round", 0)
            files = st.file_uploader("选择照片", accept_multiple_files=True,
                                     type=["jpg", "jpeg", "png", "heic", "heif"],
                                     key=f"photo_files_{round_}")  # fmt: skip
            if st.button("上传照片", icon=":material/upload:", disabled=not files):
                try:
                    n = photos.add(common.store(), actor, code, month,
                                   [(x.name, x.getvalue()) for x in files])  # fmt: skip
                except (photos.PhotoRefused, roles.Refused) as refused:
                    st.error(common.plain(refused.message), icon=":material/block:")
                except StoreError:
                    st.error("暂时无法保存照片,请稍后再试。", icon=":material/error:")
                else:
                    st.session_state["_photo_round"] = round_ + 1
                    st.toast(f"已上传{n}张照片。")
                    st.rerun()
    elif actor.signed_in and roles.may(actor, roles.IMPORT):
        st.caption(common.plain(f"{actor.label()}只能为本账户区县的项目上传照片。"))

# --- 存在问题 ------------------------------------------------------------------------------
st.subheader("存在问题及督办")
if f.problems.empty:
    st.info("截至报告期没有登记存在问题。", icon=":material/check_circle:")
else:
    pr = f.problems
    common.dataframe(
        pd.DataFrame(
            {
                "问题编号": pr[S.PROBLEM_ID],
                "类型": pr[S.PROBLEM_TYPE],
                "问题描述": pr[S.PROBLEM_TEXT],
                "提出": pr[S.RAISED].map(P.month_label),
                "责任单位": pr[S.RESPONSIBLE_UNIT],
                "交办日期": pr[S.ASSIGNED_ON],
                "办结时限": pr[S.DEADLINE],
                "状态": pr[V.STATE],
                "超期天数": pr[V.OVERDUE_DAYS],
                "办理情况": pr[S.HANDLING_NOTES],
                "办结日期": pr[S.CLOSED_ON],
                "销号日期": pr[S.CLEARED_ON],
            }
        ).replace("", MISSING),
        width="stretch",
        column_config={
            "问题描述": st.column_config.TextColumn(width="medium"),
            "办理情况": st.column_config.TextColumn(width="large"),
        },
    )

# --- 节点计划 ------------------------------------------------------------------------------
st.subheader("节点计划")
if f.nodes.empty:
    st.info("该项目没有节点计划。", icon=":material/info:")
else:
    common.scoped_chart(
        p, ("project_file_gantt", code, scope.period), lambda: project_charts.gantt(f, own_scope),
        present_height=560,
    )  # fmt: skip
    common.dataframe(
        pd.DataFrame(
            {
                "节点": f.nodes[S.NODE],
                "计划完成": f.nodes[S.NODE_PLANNED].map(P.month_label),
                "实际完成": f.nodes[S.NODE_ACTUAL].map(P.month_label),
                "状态": f.nodes[N.STATE],
            }
        ),
        width="stretch",
    )

# --- 资金 与 预警 ---------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.subheader("资金落实")
    if f.funding.empty:
        st.info("截至报告期没有已落实资金的记录。", icon=":material/info:")
    else:
        common.dataframe(
            f.funding.assign(
                **{"落实金额(亿元)": f.funding[S.FUNDING_AMOUNT].map(yi_two_decimals)}
            )[[S.FUNDING_SOURCE, "落实金额(亿元)"]],
            width="stretch",
        )
        st.caption(f"合计{yi_two_decimals(float(f.funding[S.FUNDING_AMOUNT].sum()))}")
with right:
    st.subheader("当前预警")
    if f.alerts.empty:
        st.success("截至报告期没有预警。", icon=":material/check_circle:")
    else:
        common.dataframe(
            f.alerts[[A.LEVEL, A.RULE, A.REASON]], width="stretch",
            column_config={A.REASON: st.column_config.TextColumn(width="large")},
        )  # fmt: skip

# --- 修改记录 ------------------------------------------------------------------------------
st.subheader("修改记录")
if datasource.store_version(p.version) is None:
    st.caption("当前数据来自示例数据或数据文件夹,没有导入和修改的历史记录。")
else:
    try:
        changes = p.memo(("project_history", code), lambda: project_changes(common.store(), code))
    except StoreError:
        changes = None
        st.warning("暂时无法读取修改记录,请稍后再试。", icon=":material/error:")
    if changes is not None:
        history = P.history_table(changes)
        if history.empty:
            st.caption("数据库中没有该项目的修改记录。")
        else:
            common.dataframe(
                history, width="stretch",
                column_config={"修改内容": st.column_config.TextColumn(width="large")},
            )  # fmt: skip

# --- 下载 ---------------------------------------------------------------------------------
if not common.presenting():
    st.download_button(
        "下载项目档案(Word)",
        data=lambda: project_file.docx_bytes(f, own_scope, photos=site_photos),
        file_name=project_file.file_name(f),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        on_click="ignore",
        icon=":material/download:",
    )
