"""操作记录 (admins only): the audit trail — who did what, when, from where — filtered and
downloaded. Nothing here can change an entry: core.store.audit has no way to."""

import datetime as dt

import streamlit as st

from app_pages import common, signin
from core.base import cells
from core.policy import roles
from core.store import audit

st.title("操作记录")
actor = signin.allowed(roles.AUDIT)  # stops with the refusal otherwise

SHOWN = 2000  # rows drawn on the page; the download holds every match
ANY = "全部"
store = common.store()
st.caption("记录导入、回滚、调出、台账格式、会议议程、类别、账户的变动,以及每次登录(含失败)。"
           "记录只能追加,在本系统中不能修改或删除。")  # fmt: skip
c1, c2, c3, c4 = st.columns([1, 1, 2, 2])
who = c1.selectbox("账户", [ANY, *audit.users_in_trail(store)], key="audit_user")
what = c2.selectbox("操作", [ANY, *audit.ACTIONS], key="audit_action")
today = dt.date.today()
days = c3.date_input("日期", value=(today - dt.timedelta(days=30), today), key="audit_days",
                     format="YYYY-MM-DD")  # fmt: skip
text = c4.text_input("对象或详情包含", key="audit_text", placeholder="如批次号、文件名、账户名")
since = until = None
if isinstance(days, tuple) and days:
    since = dt.datetime.combine(days[0], dt.time())
    until = dt.datetime.combine(days[-1], dt.time()) + dt.timedelta(days=1)
found = audit.entries(
    store,
    audit.Filter(None if who == ANY else who, None if what == ANY else what, since, until,
                 text.strip() or None),
)  # fmt: skip
if not found:
    st.info("没有符合条件的操作记录。", icon=":material/search_off:")
    st.stop()
table = audit.frame(found)
st.caption(f"共{len(found)}条" + (f",显示最新的{SHOWN}条" if len(found) > SHOWN else "") + "。")
common.dataframe(table.head(SHOWN), width="stretch",
                 height=min(38 * (min(len(table), SHOWN) + 1), common.table_height()))  # fmt: skip
st.download_button(
    "下载操作记录(CSV)",
    data=lambda: cells.csv_bytes(table),
    file_name=f"操作记录_{today:%Y%m%d}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
)
