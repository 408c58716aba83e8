"""数据管理: the template and the current data as workbooks, uploads of templates or an office's
own ledgers (with the mapping step), the check and what changes, the import itself, the history
with roll-back, saved ledger layouts, and withdrawing a project."""

import hashlib

import pandas as pd
import streamlit as st

from app_pages import common, import_steps, recovery, signin
from app_pages.filters import not_presented
from core.base import schema as S
from core.base.periods import Period
from core.figures import search
from core.ingest import importing, workbook
from core.ingest.layouts import Layouts
from core.policy import roles
from core.store import datasource
from core.store.versions import StoreError, VersionMoved, version_of

WITHDRAW_CHOICES = 100  # projects listed by the 调出项目 picker at once (the search finds others)

st.title("数据管理")
common.url_notices()
not_presented("数据管理")  # imports and roll-backs are not shown on a projector
actor = signin.actor()
# The store's problems and fixes, backups (app_pages/recovery.py); stops when it cannot open.
if recovery.panel():
    st.stop()
store = common.store()
batch = store.current()  # what is in use, without reading a million rows on every rerun
if batch is None:
    st.info(
        "尚未导入数据:各页面显示的是示例数据(虚构的示例市)。可直接上传本办的台账(月报表,"
        ".xls/.xlsx/.ods均可),或下载模板填好后上传。",
        icon=":material/info:",
    )
else:
    st.success(
        common.plain(f"各页面当前使用{datasource.batch_label(batch)}。"), icon=":material/database:"
    )

p = common.portfolio()
rows = batch.row_counts if batch else {
    S.PROJECTS: len(p.projects), S.PLANS: len(p.plans), S.MONTHLY: len(p.monthly),
    S.FUNDING: len(p.funding), S.PROBLEMS: len(p.problems), S.INDICATORS: len(p.indicators),
    S.MILESTONES: len(p.milestones), S.EXEMPTIONS: len(p.exemptions),
}  # fmt: skip
counts = pd.DataFrame({"数据表": list(S.TABLES), "行数": [rows.get(t, 0) for t in S.TABLES]})
left, right = st.columns([2, 3])
with left:
    common.dataframe(counts, width="stretch")
with right:
    st.download_button(
        "下载填报模板(.xlsx)",
        data=workbook.template_bytes,
        file_name="重大项目数据填报模板.xlsx",
        on_click="ignore",
        icon=":material/download:",
        type="primary",
    )
    st.download_button(
        "下载当前数据(.xlsx,可修改后再导入)",
        data=lambda: workbook.data_bytes(datasource.current(store).tables),
        file_name="重大项目数据_当前.xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
    st.caption("模板含“填表说明”工作表,列出每一列的单位、格式和允许的值。")

st.subheader("上传数据")
if not roles.may(actor, roles.IMPORT):
    st.info(
        "上传和导入数据需要以区县填报或管理员账户登录(左侧栏底部“登录”);查看和下载无需登录。",
        icon=":material/lock:",
    )
    uploaded = None
else:
    own = roles.counties_of(actor)
    if own is not None:
        st.info(
            common.plain(
                f"本账户({actor.label()})只能导入{'、'.join(own)}的项目数据:"
                "其他区县的行、全市指标和区县边界会在检查时列为错误。"
            ),
            icon=":material/location_on:",
        )
    st.caption(
        "可一次选择多个文件:本办的台账或月报表(一张表一行一个项目,可有标题行、多行表头、"
        "“一、××县”这样的分组行和合计行),填报模板,CSV(UTF-8或GBK),区县边界GeoJSON。"
        "Excel工作簿可为.xlsx、.xls、.xlsm、.xlsb或.ods;WPS表格请另存为.xlsx。"
        "已有数据时,上传的行按项目更新原有的行,未上传的项目和表保持不变。"
    )
    st.caption(common.plain(importing.limits_text()))
    upload_round = st.session_state.setdefault("upload_round", 0)
    uploaded = st.file_uploader(
        "选择文件",
        accept_multiple_files=True,
        key=f"upload_{upload_round}",
        help="台账、模板、CSV和边界文件可以一起上传;首次导入只需台账(或项目清单和月度进度)",
    )
    importing.expect_uploads()  # the first file finds a worker started

if uploaded:
    files = [(f.name, f.getvalue()) for f in uploaded]
    digest = hashlib.sha1(b"".join(n.encode() + c for n, c in files)).hexdigest()[:16]
    upload_key = f"inspected_{digest}_{store.version()}"
    if upload_key not in st.session_state:
        with st.spinner("正在读取文件…"):
            st.session_state[upload_key] = importing.inspect(files, store)
    upload = st.session_state[upload_key]
    if upload.plans:
        upload = import_steps.mapping(upload, digest, store)
    unsettled = upload.unsettled()
    decided = "|".join(p.layout.to_json() + p.layout.name + str(p.period) for p in upload.plans)
    # The report the user reads is the one committed: it names the version it was checked
    # against, and the store refuses it if the data moved in a way that matters. A new upload
    # (the uploader is renewed after each import) is checked anew.
    report_key = f"report_{digest}_{upload_round}_{hashlib.sha1(decided.encode()).hexdigest()}"
    asked = upload.plans and report_key not in st.session_state
    if asked and st.button("确认映射,检查数据", type="primary", icon=":material/fact_check:",
                           disabled=bool(unsettled)):  # fmt: skip
        st.session_state[report_key] = None  # computed below
    if not upload.plans or report_key in st.session_state:
        if st.session_state.get(report_key) is None:
            bar = st.progress(0.0, text="准备检查…")
            st.session_state[report_key] = importing.check(
                upload,
                store,
                lambda fraction, text: bar.progress(min(fraction, 1.0), text=text),
                actor=actor,
            )
            bar.empty()
        report = st.session_state[report_key]
        import_steps.report(report)
        if report.importable:
            import_steps.what_changes(report)
            read = "、".join(f"{t}{n}行" for t, n in report.uploaded_rows.items())
            st.markdown(common.plain(f"本次读取:{read or '仅区县边界'}。"))
            note = st.text_input(
                "本批次备注", placeholder="例如:2026年3月各区县月报", key=f"note_{digest}"
            )
            if st.button("确认导入", type="primary", icon=":material/upload:"):
                try:
                    with st.spinner("正在导入…"):
                        batch = importing.commit(report, store, note, actor=actor)
                except (VersionMoved, StoreError, roles.Refused) as refused:
                    st.session_state.pop(report_key)  # the next run checks the data now
                    st.error(common.plain(getattr(refused, "message", str(refused))),
                             icon=":material/block:")  # fmt: skip
                    st.button("重新检查", icon=":material/refresh:")
                    st.stop()
                st.session_state["upload_round"] = upload_round + 1
                st.session_state["data_done"] = (
                    f"导入完成:{datasource.batch_label(batch)}。各页面已使用新数据。"
                )
                st.rerun()

if "data_done" in st.session_state:
    st.success(common.plain(st.session_state.pop("data_done")), icon=":material/check_circle:")

everything = store.history()
history = [b for b in everything if roles.sees_batch(actor, b.user)]
if everything and not history:
    pass  # a viewer: the page's first line says which batch is in use
elif not everything:
    st.subheader("导入历史")
    st.caption("还没有导入记录。")
else:
    st.subheader("导入历史" if roles.may(actor, roles.AUDIT) else "本账户的导入")
    common.dataframe(
        pd.DataFrame(
            {
                "批次": [b.id for b in history],
                "当前": ["是" if b.id == everything[0].id else "" for b in history],
                "时间": [b.created_at.strftime("%Y-%m-%d %H:%M:%S") for b in history],
                "类型": [
                    b.kind + (f"(恢复第{b.restored_from}批)" if b.restored_from else "")
                    for b in history
                ],
                "操作人": [f"{b.user}({b.role})" if b.user else "未记录" for b in history],
                "文件": ["、".join(b.files) for b in history],
                "备注": [b.note for b in history],
                # One column per table: the row counts of the data each entry made current.
                **{f"{t}(行)": [b.row_counts.get(t, 0) for b in history] for t in S.TABLES},
            }
        ),
        width="stretch",
    )
    earlier = [b.id for b in history[1:]]
    if earlier and roles.may(actor, roles.ROLLBACK):
        rollback_round = st.session_state.setdefault("rollback_round", 0)
        c1, c2 = st.columns([1, 3])
        target = c1.selectbox("回滚到批次", earlier, key=f"rollback_target_{rollback_round}")
        why = c2.text_input("回滚原因", key=f"rollback_note_{rollback_round}",
                            placeholder="例如:3月数据有误,恢复2月")  # fmt: skip
        sure = st.checkbox(f"确认把第{target}批数据恢复为当前数据(回滚会记入历史,可再次回滚)",
                           key=f"rollback_sure_{rollback_round}")  # fmt: skip
        # The version this form was drawn from: the one the previous run showed.
        seen = st.session_state.get("rollback_seen", version_of(history[0]))
        st.session_state["rollback_seen"] = version_of(history[0])
        if st.button("回滚", icon=":material/history:", disabled=not sure):
            try:
                batch = store.rollback(int(target), why, seen_version=seen, actor=actor)
            except (VersionMoved, StoreError, roles.Refused) as refused:
                st.error(common.plain(getattr(refused, "message", str(refused))),
                         icon=":material/block:")  # fmt: skip
                st.stop()
            st.session_state["rollback_round"] = rollback_round + 1  # clears the form
            st.session_state["data_done"] = (
                f"回滚完成:当前为{datasource.batch_label(batch)},数据来自第{batch.restored_from}批。"
            )
            st.rerun()

if batch is not None and roles.may(actor, roles.WITHDRAW):
    st.subheader("调出项目")
    st.caption(
        "调出重点项目清单的项目自所选月份起不再统计,此前各期的数字不变;调出记入导入历史,可回滚。"
    )
    # From the data in memory, not the store (a read of every table on each rerun), and only
    # the projects the search finds: a list of 100,000 names is megabytes on every rerun.
    candidates = p.memo(("withdraw_choices",), lambda: importing.withdrawable(p.projects))
    withdraw_round = st.session_state.setdefault("withdraw_round", 0)
    codes_key = f"withdraw_codes_{withdraw_round}"
    c1, c2 = st.columns([3, 1])
    query = c1.text_input("查找项目", key=f"withdraw_query_{withdraw_round}",
                          placeholder="输入项目名称、代码或区县中的文字")  # fmt: skip
    found = search.projects(candidates, query)  # the one search of every page
    chosen = st.session_state.get(codes_key, [])
    shown = pd.concat([candidates.loc[candidates[S.CODE].isin(chosen)],
                       found.head(WITHDRAW_CHOICES)]).drop_duplicates(S.CODE)  # fmt: skip
    labels = dict(zip(shown[S.CODE], shown[S.NAME] + "(" + shown[S.COUNTY] + ")", strict=True))
    codes = c1.multiselect("项目", list(labels), format_func=labels.get, placeholder="选择要调出的项目",
                           key=codes_key)  # fmt: skip
    if len(found) > WITHDRAW_CHOICES:
        c1.caption(f"找到{len(found)}个项目,列出前{WITHDRAW_CHOICES}个;输入更多文字缩小范围。")
    months = [x.key for x in p.periods()]
    month = c2.selectbox("自哪个月起", months, key=f"withdraw_month_{withdraw_round}",
                         format_func=lambda m: Period.parse(m).label)  # fmt: skip
    why = st.text_input("调出原因", key=f"withdraw_note_{withdraw_round}",
                        placeholder="例如:项目终止,经市重大办同意调出")  # fmt: skip
    if st.button("调出", icon=":material/playlist_remove:", disabled=not codes or not month):
        try:
            batch = importing.withdraw(store, codes, Period.parse(month), why, actor=actor)
        except (ValueError, roles.Refused) as exc:  # core's messages are Chinese
            st.error(common.plain(str(exc)), icon=":material/error:")
        else:
            st.session_state["withdraw_round"] = withdraw_round + 1
            st.session_state["data_done"] = f"调出完成:{datasource.batch_label(batch)}。"
            st.rerun()

saved = Layouts(store).all() if roles.may(actor, roles.LAYOUTS) else []
if saved:
    st.subheader("台账格式")
    st.caption("上传台账时按表头自动套用已保存的格式(表头中的年月不影响识别)。")
    common.dataframe(pd.DataFrame({"名称": [lay.name for lay, _ in saved],
                      "保存时间": [f"{when:%Y-%m-%d %H:%M}" for _, when in saved],
                      "字段数": [sum(v != "不导入" for v in lay.fields.values()) for lay, _ in saved]}), width="stretch",
    )  # fmt: skip
    c1, c2, c3 = st.columns([2, 2, 1])
    chosen = c1.selectbox("台账格式", [lay.name for lay, _ in saved], key="layout_chosen")
    new_name = c2.text_input("新名称", key="layout_new_name")
    try:
        if c3.button("改名", icon=":material/edit:", disabled=not new_name):
            Layouts(store).rename(chosen, new_name, actor=actor)
            st.rerun()
        if st.button("删除所选台账格式", icon=":material/delete:"):
            Layouts(store).delete(chosen, actor=actor)
            st.rerun()
    except (ValueError, roles.Refused) as exc:
        st.error(common.plain(str(exc)), icon=":material/error:")

if roles.may(actor, roles.BACKUP):
    recovery.backups_section()  # backups and restore (app_pages/recovery.py)
