"""README's recipe "Adding an import column", followed for a throwaway optional column (备注 of
项目清单): the schema constant (step 1) and its 填表说明 line (step 2) make the template explain
it, the check accept and keep it, and a data set without it read it empty. (Step 3, the store's
revision, is checked for every revision by tests/core/store/test_migrations.py.)"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.base import schema as S
from core.ingest import importing, reading, workbook
from core.store.portfolio import load_folder
from core.store.versions import Store

MINI = Path(__file__).parents[1] / "fixtures" / "mini"
REMARK = "备注"


@pytest.fixture
def remark(monkeypatch):
    """The recipe's steps 1 and 2, made by monkeypatching instead of editing the files."""
    columns = (*S.PROJECT_COLUMNS, REMARK)
    monkeypatch.setattr(S, "PROJECT_COLUMNS", columns)  # step 1: the constant in the columns,
    monkeypatch.setitem(S.COLUMNS, S.PROJECTS, columns)
    monkeypatch.setitem(S.OPTIONAL, S.PROJECTS, (*S.OPTIONAL[S.PROJECTS], REMARK))  # optional,
    monkeypatch.setitem(S.STORE_COLUMNS, REMARK, "remark")  # and its ASCII name in the store
    # What core makes from the schema when it is imported is made again, as a new process would.
    monkeypatch.setattr(reading, "HEADER_SYNONYMS", reading._synonym_table())
    # A CSV upload is read in a worker process, which a monkeypatch does not reach: read it
    # here, as the worker would with the files edited.
    monkeypatch.setattr(reading, "read_isolated", lambda _target, name, content:
                        reading._read_file(name, content))  # fmt: skip
    doc = workbook._doc
    monkeypatch.setattr(workbook, "_doc", lambda: {**doc(), REMARK: ("文本", "", "任何说明")})
    return REMARK


def test_the_template_explains_it(remark):
    rows = workbook.instructions()
    row = rows.loc[(rows["工作表"] == S.PROJECTS) & (rows["列名"] == remark)]
    assert row[["必填", "单位/格式", "说明"]].values.tolist() == [["选填", "文本", "任何说明"]]


def test_an_upload_with_it_is_checked_and_kept(remark, tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    projects = pd.read_csv(folder / f"{S.PROJECTS}.csv", dtype=str, keep_default_na=False)
    projects[remark] = ["先行试点"] + [""] * (len(projects) - 1)
    projects.to_csv(folder / f"{S.PROJECTS}.csv", index=False)
    report = importing.check(importing.read_paths(sorted(folder.iterdir())),
                             Store(f"sqlite:///{tmp_path}/s.sqlite"))  # fmt: skip
    assert report.errors == []
    assert report.tables[S.PROJECTS][remark].tolist()[0] == "先行试点"


def test_a_data_set_without_it_reads_it_empty(remark):
    p = load_folder(MINI)
    assert set(p.projects[remark]) == {""}
