"""A project list without any 月度进度 (an office's first import, issue 19's remainder) is a
data set: the import goes in with a warning, the store loads it with a period settled without
returns, and the CLI refuses to report on it in Chinese."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.base import schema as S
from core.base.periods import Period
from core.ingest import importing
from core.ingest.findings import ERROR, WARNING
from core.ingest.validation import NO_RETURNS_YET
from core.store import datasource
from core.store.portfolio import period_without_returns
from core.store.versions import Store
from tests.access_kit import ADMIN
from tests.store_kit import cli

MINI = Path(__file__).parents[2] / "fixtures" / "mini"
LIST_ONLY = ("项目清单.csv", "年度计划.csv", "节点计划.csv", "区县边界.geojson")


def _plans(*years: int) -> pd.DataFrame:
    return pd.DataFrame({S.CODE: ["A"] * len(years), S.YEAR: list(years)})


@pytest.mark.parametrize(
    ("years", "today", "period"),
    [
        ((2025, 2026), dt.date(2026, 7, 15), Period(2026, 7)),  # this year's plans: today's month
        ((2024, 2025), dt.date(2026, 7, 15), Period(2025, 12)),  # a year that is over: December
        ((2027,), dt.date(2026, 7, 15), Period(2027, 1)),  # next year's plans: its January
        ((), dt.date(2026, 3, 2), Period(2026, 3)),  # no plans: today's month
    ],
)
def test_the_period_without_returns(years, today, period):
    assert period_without_returns(_plans(*years), today) == period


def test_a_list_with_its_plans_imports_with_a_warning_and_loads(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/store.sqlite")
    try:
        report = importing.check(importing.read_paths([MINI / n for n in LIST_ONLY]), store)
        assert not [f for f in report.findings if f.level == ERROR]
        assert [f.message for f in report.findings if f.level == WARNING] == [NO_RETURNS_YET]
        importing.commit(report, store, "清单", actor=ADMIN)
        p = datasource.load(store)
        projects = pd.read_csv(MINI / "项目清单.csv", dtype=str)
        assert len(p.projects) == len(projects) and p.monthly.empty and not p.has_returns
        # the mini's plans run to 2025, a year that is over by now: its December
        expected = period_without_returns(p.plans)
        assert expected == Period(2025, 12) if dt.date.today().year > 2025 else True
        assert p.latest_period == expected and p.periods() == [expected]
        assert p.period_note().startswith(f"尚无月度进度,报告期按{expected.label}")
        assert p.ytd.shape == (len(projects), 1) and p.ytd.to_numpy().sum() == 0.0
        assert datasource.load(store).latest_period == expected  # read again from the snapshot
    finally:
        store.close()


@pytest.mark.parametrize("command", ["summary", "brief", "deck"])
def test_the_cli_refuses_a_list_without_returns(command, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for path in MINI.iterdir():  # every table but the returns
        if path.name != "月度进度.csv":
            shutil.copy(path, data / path.name)
    header = (MINI / "月度进度.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    (data / "月度进度.csv").write_text(header + "\n", encoding="utf-8")
    out = [] if command == "summary" else ["--out", str(tmp_path / "out.file")]
    if command == "brief":
        out = ["--format", "docx", *out]
    code, stdout, err = cli(command, "--data", str(data), *out)
    assert code == 1 and stdout == ""
    assert err.startswith("错误:当前数据只有项目清单,尚未导入月度进度")
    assert not (tmp_path / "out.file").exists()


def test_a_list_without_figures_is_not_asked_its_period():
    """A 名单 with county sections and no amounts: no figure depends on the period, so it is not
    asked (the title's 截至7月31日 is a submission date); what the list lacks is said instead."""
    from tests.corpus.layouts import cases
    from tests.corpus.run import run

    (case,) = [c for c in cases() if c.name == "list_county_sections_xlsx"]
    out = run(case)
    assert not out.imported and out.questions == []
    assert out.errors and all("总投资" in e for e in out.errors[:4])
