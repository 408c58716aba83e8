"""数据管理 through AppTest: an office's own .xls ledger uploaded, the mapping step settled with
select boxes, checked, imported, its figures on the overview; then next month's ledger read by
the saved layout, with what changes shown before it is confirmed."""

import shutil
import sys
from pathlib import Path

import pytest
import streamlit as st
from app_kit import as_admin, metrics
from streamlit.testing.v1 import AppTest

from core.base import settings

sys.path.insert(0, str(Path(__file__).parents[1] / "core" / "ingest"))
from ledgers import WRITERS, monthly_ledger, pairs_ledger

APP = str(Path(__file__).parents[2] / "app.py")
XLS = "application/vnd.ms-excel"


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    own = tmp_path / "settings.toml"
    shutil.copy(settings.DEFAULTS, own)
    monkeypatch.setenv(settings.SETTINGS_SETTING, str(own))
    monkeypatch.setenv("BRIEFING_DATABASE_URL", f"sqlite:///{tmp_path}/page.sqlite")
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "cache"))
    yield
    st.cache_resource.clear()


def data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    as_admin(at)
    at.switch_page("app_pages/data.py").run()
    return at


def selectbox(at: AppTest, label: str):
    """By its label as shown: labels from a file are escaped, as Markdown is not to render."""
    return next(s for s in at.selectbox if plain(s.label) == label)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def plain(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")  # as shown: app_pages.common.plain


def test_a_ledger_through_the_mapping_step(tmp_path):
    at = data_page()
    at.file_uploader[0].set_value(("龙海片区月报.xls", WRITERS["xls"](pairs_ledger()), XLS)).run()
    assert not at.exception
    assert plain(next(e.label for e in at.expander)) == "龙海片区月报.xls·进展 · 3个项目"
    still = plain(at.warning[0].value)
    assert "项目级别" in still  # the period comes from the data: the last month with amounts
    assert button(at, "确认映射,检查数据").disabled
    # What the recogniser read, shown for a person to confirm.
    assert selectbox(at, "D列 · 总投资(亿元)").value == "总投资"
    assert selectbox(at, "F列 · 1月/当月完成投资额(亿元)").value == "分月完成投资(月份见表头)"
    assert selectbox(at, "第1级分组(如“工业、交通、农业”)").value == "行业领域"
    selectbox(at, "报告期(月)").set_value(3)
    selectbox(at, "项目级别").set_value("市重点")
    at.run()
    assert not at.warning or "还需确认" not in plain(at.warning[0].value)
    preview = at.dataframe[-1].value
    assert preview["项目名称"].tolist() == ["龙海化工园", "龙海港区道路", "漳浦茶园"]
    assert preview["总投资(万元)"].tolist() == [15000.0, 8000.0, 4000.0]
    button(at, "确认映射,检查数据").click().run()
    assert not at.exception
    assert plain(at.warning[0].value) == "发现0个错误、1个警告。警告不影响导入,请核对。"
    assert "行业领域:交通、农业、工业" in plain(at.info[-1].value)
    button(at, "确认导入").click().run()
    assert any("导入完成:第1批数据" in plain(s.value) for s in at.success)
    assert settings.current().sectors[-3:] == ("交通", "农业", "工业")

    overview = AppTest.from_file(APP, default_timeout=90)
    overview.run()
    figures = {plain(m.label): m.value for m in metrics(overview)}
    assert figures["项目数"] == "3个"  # own data opens on every level
    assert figures["总投资(亿元)"] == "2.7"
    # (0.05+0.1+0.15) + (0+0.02+0.03) + (0.01+0.01+0.02) = 0.39 亿元
    assert figures["1-3月完成投资(亿元)"] == "0.4"
    assert "全部级别" in plain(overview.markdown[0].value)


def test_next_month_reads_the_saved_layout_and_shows_what_changes():
    at = data_page()
    at.file_uploader[0].set_value(("临江3月.xls", WRITERS["xls"](monthly_ledger(3)), XLS)).run()
    button(at, "确认映射,检查数据").click().run()
    button(at, "确认导入").click().run()
    assert any("第1批数据" in plain(s.value) for s in at.success)

    at = data_page()
    april = monthly_ledger(4, drop=("城西公园",), amounts={"东港大桥": 160})
    at.file_uploader[0].set_value(("临江4月.xls", WRITERS["xls"](april), XLS)).run()
    (ledger,) = [e for e in at.expander if "临江4月" in e.label]
    assert "已按台账格式“临江市重点项目(在建、预备)完成情况一览表”读取" in plain(ledger.label)
    button(at, "确认映射,检查数据").click().run()
    assert not at.exception
    said = " ".join(plain(m.value) for m in at.markdown)
    assert "本次导入将:新增项目0个,2026-04报送4个项目,未报送1个(保留,标为未报送)" in said
    tables = {tuple(df.value.columns): df.value for df in at.dataframe}
    missing = tables[("项目代码", "项目名称", "所在区县")]
    assert missing["项目名称"].tolist() == ["城西公园"]
    amounts = tables[("项目代码", "项目名称", "涵盖月份", "本月完成投资(万元)")]
    assert amounts.set_index("项目名称")["本月完成投资(万元)"].to_dict()["东港大桥"] == "60"
    button(at, "确认导入").click().run()
    assert any("第2批数据" in plain(s.value) for s in at.success)
    history = next(df.value for df in at.dataframe if "批次" in df.value.columns)
    assert history["文件"].tolist() == ["临江4月.xls", "临江3月.xls"]
    assert "临江市重点项目(在建、预备)完成情况一览表" in [
        r for df in at.dataframe if "名称" in df.value.columns for r in df.value["名称"]
    ]
