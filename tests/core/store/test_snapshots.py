"""The Parquet snapshot read lazily: the project list at once, every other table when first
used, from files opened when the snapshot was read, so another process that prunes or rebuilds
the snapshot meanwhile does not take the data away from a page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from core.base import schema as S
from core.figures import measures as M
from core.figures.scope import Scope
from core.ingest import importing
from core.store import datasource
from core.store.versions import Store
from tests.access_kit import ADMIN

MINI = Path(__file__).parents[2] / "fixtures" / "mini"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("BRIEFING_CACHE_DIR", str(tmp_path / "snapshots"))
    s = Store(f"sqlite:///{tmp_path}/s.sqlite")
    report = importing.check(importing.read_paths(sorted(MINI.iterdir())), s)
    importing.commit(report, s, "首次导入", actor=ADMIN)
    yield s
    s.close()


def test_only_the_project_list_is_read_until_a_table_is_used(store):
    p = datasource.load(store)
    assert isinstance(p, datasource._SnapshotPortfolio)
    read = set(p.__dict__)
    assert "projects" in read
    assert not {"monthly", "plans", "funding", "problems", "indicators", "ytd"} & read
    assert p.periods() and p.latest_period  # the sidebar's months, without the returns
    assert "monthly" not in p.__dict__
    assert len(p.monthly) > 0 and "monthly" in p.__dict__


def test_a_snapshot_removed_by_another_process_still_serves_the_page(store):
    lazy = datasource.load(store)
    eager = datasource.portfolio(datasource.current(store))
    shutil.rmtree(datasource.snapshots())  # another process prunes it meanwhile
    scope = Scope(eager.latest_period, level=None)
    assert M.year_figures(lazy, scope) == M.year_figures(eager, scope)
    for name in ("plans", "monthly", "funding", "problems", "indicators"):
        pd.testing.assert_frame_equal(getattr(lazy, name), getattr(eager, name))
    pd.testing.assert_frame_equal(lazy.ytd, eager.ytd)
    pd.testing.assert_frame_equal(lazy.plan_by_year, eager.plan_by_year)
    assert lazy.periods() == eager.periods() and lazy.latest_period == eager.latest_period
    assert list(lazy.projects[S.CODE]) == list(eager.projects[S.CODE])


def test_a_damaged_table_is_found_when_the_snapshot_is_read_and_rebuilt(store):
    datasource.load(store)
    (damaged,) = datasource.snapshots().glob("*/funding.parquet")
    damaged.write_bytes(b"PAR1 not a table")
    p = datasource.load(store)  # found by its footer, rebuilt from the store
    assert len(p.funding) > 0
    assert datasource.check_snapshot(store) is None


# The child ends with os._exit: seen once in CI, pyarrow's thread pool aborted the interpreter's
# shutdown after the output was written ("terminate called without an active exception"),
# which is not what this test is about.
_LOAD = """
import os, sys
from core.store import datasource
from core.store.versions import Store
p = datasource.load(Store(sys.argv[1]))
print(p.version, len(p.monthly), len(p.projects), flush=True)
os._exit(0)
"""


def test_processes_writing_one_snapshot_at_once_leave_one_whole_snapshot(store, tmp_path):
    """Replicas opening new data together: each writes the snapshot to a folder of its own and
    renames it; the first rename wins, the others drop theirs, and every one reads whole data."""
    import os
    import subprocess
    import sys

    shutil.rmtree(datasource.snapshots())
    repo = Path(__file__).parents[3]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _LOAD, store.url], cwd=repo, env=env, stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]  # fmt: skip
    outputs = {proc.communicate(timeout=120)[0].strip() for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    eager = datasource.portfolio(datasource.current(store))
    assert outputs == {f"{eager.version} {len(eager.monthly)} {len(eager.projects)}"}
    folders = list(datasource.snapshots().iterdir())
    assert len(folders) == 1 and (folders[0] / "done").exists(), folders
    assert not list(datasource.snapshots().glob(".tmp-*"))


def test_a_copy_of_a_snapshot_data_set_computes_its_own_matrices(store):
    """with_tables() (and attach_month_plans, which the benchmark uses) copies a data set read
    from a snapshot: the copy has its tables but not the snapshot's files."""
    lazy = datasource.load(store)
    eager = datasource.portfolio(datasource.current(store))
    copy = lazy.with_tables()
    pd.testing.assert_frame_equal(copy.ytd, eager.ytd)
    pd.testing.assert_frame_equal(copy.plan_by_year, eager.plan_by_year)
    scope = Scope(eager.latest_period, level=None)
    assert M.year_figures(copy, scope) == M.year_figures(eager, scope)
