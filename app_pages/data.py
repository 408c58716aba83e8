"""数据管理: the template, the current data as a workbook, uploads with their validation report,
the import itself, and the history with roll-back."""

import hashlib

import pandas as pd
import streamlit as st

from app_pages import common, recovery
from core.data import datasource
from core.data import schema as S
from core.ingest import importing, workbook
from core.ingest.store import StoreError, VersionMoved, version_of
from core.ingest.validation import ERROR

st.title("数据管理")
# The store's problems and fixes, backups (app_pages/recovery.py); stops when it cannot open.
if recovery.panel():
    st.stop()
store = common.store()
batch = store.current()  # what is in use, without reading a million rows on every rerun
if batch is None:
    st.info(
        "尚未导入数据:各页面显示的是示例数据(虚构的示例市)。下载模板填好后在下方上传即可替换。",
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
}  # fmt: skip
counts = pd.DataFrame({"数据表": list(S.TABLES), "行数": [rows.get(t, 0) for t in S.TABLES]})
left, right = st.columns([2, 3])
left.dataframe(counts, hide_index=True, width="stretch")
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
st.caption(
    f"可一次选择多个文件:Excel工作簿(.xlsx,每张表一个工作表)、CSV(UTF-8或GBK)、区县边界GeoJSON。"
    f"单个文件不超过{importing.MAX_FILE_MB}MB。已有数据时,上传的行按项目代码等主键更新原有的行,未上传的表保持不变。"
)
upload_round = st.session_state.setdefault("upload_round", 0)
uploaded = st.file_uploader(
    "选择文件",
    accept_multiple_files=True,
    key=f"upload_{upload_round}",
    help="首次导入须包含全部六张表和区县边界文件",
)

if uploaded:
    files = [(f.name, f.getvalue()) for f in uploaded]
    digest = hashlib.sha1(b"".join(n.encode() + c for n, c in files)).hexdigest()
    # The report the user reads is the one committed: it names the version it was checked
    # against, and the store refuses it if the data moved in a way that matters. A new upload
    # (the uploader is renewed after each import) is checked anew.
    cache_key = f"report_{upload_round}_{digest}"
    if cache_key not in st.session_state:
        bar = st.progress(0.0, text="准备读取…")
        st.session_state[cache_key] = importing.check(
            files, store, lambda fraction, text: bar.progress(min(fraction, 1.0), text=text)
        )
        bar.empty()
    report = st.session_state[cache_key]
    (st.error if report.errors else st.warning if report.warnings else st.success)(report.summary())
    if report.findings:
        table = report.frame()
        st.dataframe(
            table.style.map(
                lambda v: "color: #c62828; font-weight: 600" if v == ERROR else "", subset=["级别"]
            ),
            hide_index=True,
            width="stretch",
            height=min(38 * (len(table) + 1), 420),
        )
        st.download_button(
            "下载检查结果(.csv)",
            data=table.to_csv(index=False).encode("utf-8-sig"),
            file_name="数据检查结果.csv",
            mime="text/csv",
            on_click="ignore",
            icon=":material/download:",
        )
    if report.importable:
        rows = "、".join(f"{t}{n}行" for t, n in report.uploaded_rows.items())
        st.markdown(common.plain(f"本次读取:{rows or '仅区县边界'}。"))
        note = st.text_input(
            "本批次备注", placeholder="例如:2026年3月各区县月报", key=f"note_{digest}"
        )
        if st.button("确认导入", type="primary", icon=":material/upload:"):
            try:
                with st.spinner("正在导入…"):
                    batch = importing.commit(report, store, note)
            except (VersionMoved, StoreError) as refused:
                st.session_state.pop(cache_key)  # the next run checks against the data now
                st.error(getattr(refused, "message", str(refused)), icon=":material/block:")
                st.button("重新检查", icon=":material/refresh:")
                st.stop()
            st.session_state["upload_round"] = upload_round + 1
            st.session_state["data_done"] = (
                f"导入完成:{datasource.batch_label(batch)}。各页面已使用新数据。"
            )
            st.rerun()

if "data_done" in st.session_state:
    st.success(common.plain(st.session_state.pop("data_done")), icon=":material/check_circle:")

st.subheader("导入历史")
history = store.history()
if not history:
    st.caption("还没有导入记录。")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "批次": [b.id for b in history],
                "时间": [b.created_at.strftime("%Y-%m-%d %H:%M:%S") for b in history],
                "类型": [
                    b.kind + (f"(恢复第{b.restored_from}批)" if b.restored_from else "")
                    for b in history
                ],
                "文件": ["、".join(b.files) for b in history],
                "备注": [b.note for b in history],
                # One column per table: the row counts of the data each entry made current.
                **{f"{t}(行)": [b.row_counts.get(t, 0) for b in history] for t in S.TABLES},
                "当前": ["是" if i == 0 else "" for i in range(len(history))],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    earlier = [b.id for b in history[1:]]
    if earlier:
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
                batch = store.rollback(int(target), why, seen_version=seen)
            except (VersionMoved, StoreError) as refused:
                st.error(getattr(refused, "message", str(refused)), icon=":material/block:")
                st.stop()
            st.session_state["rollback_round"] = rollback_round + 1  # clears the form
            st.session_state["data_done"] = (
                f"回滚完成:当前为{datasource.batch_label(batch)},数据来自第{batch.restored_from}批。"
            )
            st.rerun()

recovery.backups_section()  # backups and restore (app_pages/recovery.py)
