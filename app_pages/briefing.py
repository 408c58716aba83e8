"""简报: the written briefing for the current filters — the monthly 简报, or the 年度工作报告 in the
shape of the annual report (its year chosen on the page, the year-end by default) — editable,
with Word and PDF downloads."""

import datetime as dt
import hashlib
from dataclasses import replace

import streamlit as st

from app_pages import common, presentation
from core.figures import annual, briefing
from core.output import document

MONTHLY, ANNUAL = "月度简报", "年度工作报告"

p = common.portfolio()
scope = common.header("简报")
common.stop_without_returns(p, "简报(投资完成情况)")
conv = common.convention()

if not scope.mask(p.projects).any():
    common.empty_notice()
kind = MONTHLY
if not common.presenting():
    left, right, _ = st.columns([2, 1, 2])
    kind = left.segmented_control("类型", [MONTHLY, ANNUAL], default=MONTHLY, key="brief_kind",
                                  persist_state="session") or MONTHLY  # fmt: skip
if kind == ANNUAL:
    years = annual.report_years(p)
    default = annual.report_period(p).year
    year = right.selectbox("报告年度", years, index=years.index(default), key="brief_year",
                           format_func=lambda y: f"{y}年")  # fmt: skip
    scope = replace(scope, period=annual.report_period(p, year))
    generated = annual.write(p, scope, conv, year).text()
    st.caption(
        f"年度工作报告按{scope.period.as_of}的数据撰写(默认为最近一个有12月数据的年度),"
        "结构同年度工作报告范本,缺少数据的内容自动略去;各项指标取自“指标”表。"
    )
else:
    generated = briefing.write(p, scope, conv).text()
if common.presenting():  # formatted text, page by page (→ steps on); no edit box, no downloads
    brief = briefing.write(p, scope, conv)
    presentation.prose(
        [("h", brief.title), ("p", brief.scope_sentence)]
        + [b for s in brief.sections for b in ((("h", s.heading),) if s.heading else ()) + (("p", s.text),)]
    )  # fmt: skip
    st.stop()
# One edit buffer per kind, scope and convention: edits survive page switches, and a different
# scope starts from its own generated text. Beside it, the generated text it started from: when
# new data change that, an unedited buffer follows, and an edited one is kept until the user says.
key = "brief_" + hashlib.sha1(f"{kind}|{scope}|{conv}".encode()).hexdigest()[:16]
base = key + "_generated"


def restore() -> None:
    st.session_state[key] = generated
    st.session_state[base] = generated


def keep_edits() -> None:
    st.session_state[base] = generated


if key not in st.session_state:
    restore()
elif st.session_state.get(base) != generated:
    if st.session_state[key] == st.session_state.get(base):
        restore()  # not edited: simply the text for the new data
    else:
        st.warning(
            "数据已更新,按新数据自动生成的简报与您开始修改时不同。下面仍是您修改过的正文;"
            "可改用按新数据生成的文字(您的修改将被替换),或保留修改。",
            icon=":material/edit_note:",
        )
        left, right, _ = st.columns([2, 1, 3])
        left.button("改用按新数据生成的文字", on_click=restore, icon=":material/refresh:")
        right.button("保留我的修改", on_click=keep_edits, icon=":material/check:")
text = st.text_area(
    "简报正文(可直接修改,修改在切换页面后保留)",
    key=key,
    height=560,
    persist_state="session",
)
if text != generated:
    st.caption("正文已修改;下载的文件使用修改后的文字。")
    st.button("恢复为自动生成的文字", on_click=restore, icon=":material/restart_alt:")

name = "年度工作报告" if kind == ANNUAL else "简报"
stem = f"{name}_{scope.file_label()}_{scope.period.label}"


def word() -> bytes:
    # The annual report is signed without the monthly charts and table; the 简报 takes its
    # 第N期 from the office's database (the same scope and period keep theirs).
    return document.docx_bytes(p, scope, conv, text, annual=kind == ANNUAL,
                               store=common.store(), day=dt.date.today())  # fmt: skip


cols = st.columns([1, 1, 3])
cols[0].download_button(
    "下载Word文档",
    data=word,
    file_name=f"{stem}.docx",
    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    on_click="ignore",
    icon=":material/description:",
    type="primary",
)
if document.office_binary():
    cols[1].download_button(
        "下载PDF",
        data=lambda: document.pdf_bytes(word()),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
else:
    cols[1].caption("本机未安装LibreOffice,暂不提供PDF下载;可下载Word文档后另存为PDF。")
if kind == ANNUAL:
    st.caption("Word文档按公文格式排版:正文,文末署本办名称和日期,页脚有页码。")
else:
    st.caption(
        "Word文档按公文格式排版:报头(重大项目工作简报、本年第N期、本办名称和日期)、正文、落款,"
        "附总览与投资增长页的主要图表和落后序时进度最多的项目表;同一范围和月份再次下载沿用原期号。"
    )

with st.expander("复制全文", icon=":material/content_copy:"):
    st.code(text, language=None, wrap_lines=True)
