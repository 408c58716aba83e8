"""报送情况: the month's collection of returns — each county's projects due, reported and missing,
its last upload, the office's deadline with the late counties marked, the missing projects, the
催报通知 (Word) and its text for a chat, and each county's pre-filled return (core.figures.collection,
core.output.reminders, core.output.returns). Follows the sidebar's filters; opens on the latest
period, and offers the month after the newest returns (the month being collected)."""

import datetime as dt
from dataclasses import replace

import streamlit as st

from app_pages import common
from core.base import schema as S
from core.base.periods import Period
from core.figures import collection as C
from core.ingest import ledger_heads, workbook
from core.output import reminders, returns
from core.store import datasource

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(max_entries=8, show_spinner="正在读取上传记录…")
def _record(url: str, version: str, period: str):
    """When each return of the period arrived (the store's row versions), once per data version."""
    return C.upload_record(common.store(), Period.parse(period))


p = common.portfolio()
scope = common.header("报送情况")
common.stop_when_scope_is_empty(p, scope)

newest = p.periods()[0]
if scope.period == newest:  # the month being collected may have no return yet
    following = newest.shift(1)
    chosen = st.segmented_control(
        "报送月份",
        [scope.period.key, following.key],
        default=scope.period.key,
        format_func=lambda m: Period.parse(m).label + ("(下一报告期)" * (m == following.key)),
        key="collection_month",
    )
    scope = replace(scope, period=Period.parse(chosen) if chosen else scope.period)
    if scope.period == following:
        st.caption(
            f"以下为正在收集的{following.label}月度进度(尚无项目报送,左侧“报告期”中暂不可选)。"
        )
elif scope.period < newest:
    st.caption(f"已有项目报送了{newest.label}的月度进度,可在左侧“报告期”中选择查看。")

version = datasource.store_version(p.version)
today = dt.date.today()


def _view() -> dict:
    """The collection and what the page says of it, once per scope, day and data version for
    every session."""
    record = _record(common.database_url_in_use(), version, scope.period.key) if version else None
    c = C.collection(p, scope, record, today)
    due = c.due_counties
    return {
        "c": c,
        "sentence": common.plain(c.sentence()),
        "cards": (
            ("应报送区县", f"{len(due)}个"),
            ("已报齐", f"{(due[C.STATE] == C.ALL_IN).sum()}个"),
            ("部分报送", f"{(due[C.STATE] == C.PARTLY).sum()}个"),
            ("未报送", f"{(due[C.STATE] == C.NONE_IN).sum()}个"),
        ),
        "shown": c.counties.drop(columns=[C.LATE]),  # for the CSV
        "shown_table": common.arrow_table(c.counties.drop(columns=[C.LATE])),
        "missing_table": common.arrow_table(c.missing),
        "chat": reminders.chat_text(c) if not c.to_chase.empty else "",
        "open": returns.counties_open(p, scope),
    }


view = p.memo(("collection_page", scope, today, C.deadline_day(), version), _view)
c = view["c"]

st.caption(
    common.plain(C.deadline_sentence(scope.period))
    + (
        ""
        if c.recorded
        else "当前数据不是从数据库导入的(示例数据或数据文件夹),没有上传时间记录,"
        "已报齐的区县是否按期无法判断。"
    )
)
if c.due_counties.empty:
    st.info(
        f"当前范围内没有{scope.period.label}应报送月度进度的项目"
        "(应报送:本年有年度计划投资、已开工且尚未竣工的项目)。",
        icon=":material/info:",
    )
    st.stop()

st.markdown(view["sentence"])
for col, (label, value) in zip(st.columns(4), view["cards"], strict=True):
    col.metric(label, value)

st.subheader("各区县报送情况")
shown = view["shown"]
common.dataframe(view["shown_table"], width="stretch")
stem = f"报送情况_{scope.file_label()}_{scope.period.label}"
common.download_csv("下载报送情况(CSV)", shown, stem, key="collection_csv")

st.subheader("未报送项目")
if c.missing.empty:
    st.caption("应报送的项目均已报送。")
else:
    common.dataframe(view["missing_table"], width="stretch", height=common.table_height())
    common.download_csv("下载未报送项目清单(CSV)", c.missing, f"未报送项目_{stem}",
                        key="collection_missing_csv")  # fmt: skip

st.subheader("催报")
if c.to_chase.empty:
    st.caption("各区县均已报齐,无需催报。")
else:
    st.caption(
        common.plain(
            f"催报通知发给{'、'.join(c.to_chase[S.COUNTY])},列出各区县未报送的项目和截止日期。"
        )
    )
    st.download_button(
        "下载催报通知(Word)",
        data=lambda: reminders.notice_docx(c),
        file_name=f"催报通知_{scope.file_label()}_{scope.period.label}.docx",
        mime=DOCX,
        on_click="ignore",
        icon=":material/description:",
        type="primary",
        key="collection_notice",
    )
    text = view["chat"]
    st.text_area("催报文字(可复制后发到工作群)", text, height=200, key="collection_text")
    st.download_button(
        "下载催报文字(.txt)",
        data=text.encode("utf-8"),
        file_name=f"催报文字_{scope.file_label()}_{scope.period.label}.txt",
        mime="text/plain",
        on_click="ignore",
        icon=":material/download:",
        key="collection_text_file",
    )

st.subheader("预填报送表")
counties = view["open"]
if not counties:
    st.caption("各区县均已报齐,无需预填报送表。")
    st.stop()
# The office's own ledger layout where one was saved with its head (ledger_heads), else the
# product's template.
office = ledger_heads.office_layout(common.store()) if version else None
write = workbook.data_bytes if office is None else ledger_heads.writer(*office, scope.period)
if office is None:
    st.caption(
        f"每个尚未报齐的区县一份填报模板,已填好未报送项目的项目清单和{scope.period.year}年年度计划,"
        f"月度进度表中{scope.period.label}的完成投资和形象进度留空;区县填好后在“数据管理”页上传导入。"
    )
else:
    st.caption(
        common.plain(
            f"每个尚未报齐的区县一份报送表,按本办台账格式“{office[0].name}”:标题改为"
            f"{scope.period.label},表头和分组与本办台账相同,已填好未报送项目的名称、总投资、"
            f"年度计划等,本月的完成投资和形象进度留空;区县填好后在“数据管理”页上传,按该格式直接导入。"
        )
    )
left, right = st.columns(2)
with left:
    county = st.selectbox("区县", counties, key="collection_county")
    if county:
        st.download_button(
            common.plain(f"下载{county}的报送表"),
            data=lambda: returns.return_bytes(p, scope, county, write),
            file_name=returns.file_name(county, scope.period),
            mime=XLSX,
            on_click="ignore",
            icon=":material/table_view:",
            key="collection_return",
        )
with right:
    st.download_button(
        f"下载全部区县的报送表(共{len(counties)}份,zip)",
        data=lambda: returns.zip_bytes(p, scope, write),
        file_name=f"报送表_{scope.file_label()}_{scope.period.label}.zip",
        mime="application/zip",
        on_click="ignore",
        icon=":material/folder_zip:",
        key="collection_zip",
    )
