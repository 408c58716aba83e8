"""The store of imported data, on SQLite and on PostgreSQL: round trip, the merge by key, history
as row versions, roll-back, the data as of any entry, atomicity under failures and SIGKILL, and
the rule for a version that moved under the user."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from core.base import schema as S
from core.store import versions as store_module
from core.store.portfolio import DEMO_DIR, read_csv
from core.store.versions import (
    DATABASE_URL_SETTING,
    IMPORT,
    ROLLBACK,
    Batch,
    Store,
    VersionMoved,
    database_url,
)
from tests.access_kit import ADMIN
from tests.store_kit import DATABASES, database, kill_inside

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "fixtures" / "mini"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The files' tables with every schema column: one added later is empty in them."""
    return {
        name: read_csv(folder / f"{name}.csv")
        .reindex(columns=S.COLUMNS[name], fill_value="")
        .astype(str)
        for name in S.TABLES
    }


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pd.DataFrame]:
    return read_tables(DEMO_DIR)


@pytest.fixture(scope="module")
def mini() -> dict[str, pd.DataFrame]:
    return read_tables(MINI)


@pytest.fixture(scope="module")
def geo() -> dict:
    return json.loads((MINI / S.BOUNDARIES_FILE).read_text(encoding="utf-8"))


def copy(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: df.copy() for name, df in tables.items()}


def assert_tables_equal(actual, expected) -> None:
    assert (actual is None) == (expected is None)
    if expected is None:
        return
    tables, boundaries = actual
    assert list(tables) == list(S.TABLES)
    for name in S.TABLES:
        assert list(tables[name].columns) == list(S.COLUMNS[name])
        assert_frame_equal(
            tables[name], expected[0][name].reset_index(drop=True), check_dtype=False
        )
    assert boundaries == expected[1]


def state(store: Store):
    """Everything the store returns, to compare before and after an attempted write."""
    return store.current(), store.history(), store.version(), store.current_tables()


def assert_same_state(after, before) -> None:
    assert after[:3] == before[:3]
    assert_tables_equal(after[3], before[3])


# --- empty store, round trip ---------------------------------------------------------------


def test_empty_store(url):
    store = Store(url)
    assert not store.has_data()
    assert store.current() is None
    assert store.history() == []
    assert store.version() == ""
    assert store.current_tables() is None


def test_import_round_trip(url, demo_tables, geo):
    store = Store(url)
    before = datetime.now().replace(microsecond=0)
    batch = store.import_batch(
        demo_tables,
        files=["项目清单.csv", "月度进度.xlsx"],
        note="三月数据",
        boundaries=geo,
        actor=ADMIN,
    )
    counts = {name: len(demo_tables[name]) for name in S.TABLES}
    assert batch == Batch(
        id=1,
        created_at=batch.created_at,
        kind=IMPORT,
        files=("项目清单.csv", "月度进度.xlsx"),
        note="三月数据",
        row_counts=counts,
        data_batch=1,
        restored_from=None,
        changes={name: (n, 0) for name, n in counts.items()},
        user=ADMIN.user,
        role=ADMIN.role.value,
    )
    assert batch.created_at.microsecond == 0
    assert before <= batch.created_at <= datetime.now() + timedelta(seconds=1)
    assert store.has_data()
    assert store.current() == batch
    assert store.history() == [batch]
    assert store.version() == f"1-{batch.created_at:%Y%m%d%H%M%S}"
    assert_tables_equal(store.current_tables(), (demo_tables, geo))
    # Persisted: a new Store on the same database (already migrated) sees it all.
    again = Store(url)
    assert again.history() == [batch]
    assert_tables_equal(again.current_tables(), (demo_tables, geo))
    store.close()
    again.close()


def test_values_are_kept_as_text(url, mini, geo):
    tables = copy(mini)
    tables[S.MONTHLY] = pd.DataFrame(
        {
            S.CODE: [" 0012 ", "a,b", "nan"],
            S.MONTH: ["2026-01", "2026-02", "2026-03"],
            S.MONTH_COMPLETED: [1.5, 2.0, float("nan")],
            S.PROGRESS_TEXT: ['完成“主体”,"引号"\n第二行\t制表', None, pd.NA],
        }
    )
    tables[S.PLANS] = pd.DataFrame({S.CODE: ["x"], S.YEAR: [2026], S.ANNUAL_PLAN: ["0.10"]})
    tables[S.PROBLEMS] = tables[S.PROBLEMS].iloc[:0]
    store = Store(url)
    store.import_batch(tables, files=[], boundaries=geo, actor=ADMIN)
    current, _ = store.current_tables()
    assert current[S.MONTHLY].to_dict("list") == {
        S.CODE: [" 0012 ", "a,b", "nan"],
        S.MONTH: ["2026-01", "2026-02", "2026-03"],
        S.MONTH_COMPLETED: ["1.5", "2.0", ""],
        S.PROGRESS_TEXT: ['完成“主体”,"引号"\n第二行\t制表', "", ""],
        S.COVERS_FROM: ["", "", ""],  # an optional column not given is empty
    }
    assert current[S.PLANS].to_dict("list") == {
        S.CODE: ["x"],
        S.YEAR: ["2026"],
        S.ANNUAL_PLAN: ["0.10"],
        S.PRIOR_CUMULATIVE: [""],
    }
    assert current[S.PROBLEMS].empty
    assert list(current[S.PROBLEMS].columns) == list(S.PROBLEM_COLUMNS)
    assert all(str(dtype) == "str" for df in current.values() for dtype in df.dtypes)
    store.close()


def test_extra_columns_are_ignored_and_order_follows_the_schema(url, mini, geo):
    tables = copy(mini)
    projects = tables[S.PROJECTS]
    tables[S.PROJECTS] = projects[list(reversed(projects.columns))].assign(备注="x")
    store = Store(url)
    store.import_batch(tables, files=[], boundaries=geo, actor=ADMIN)
    assert_tables_equal(store.current_tables(), (mini, geo))
    store.close()


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@pytest.fixture(scope="module", params=DATABASES)
def text_store(request, tmp_path_factory, mini, geo):
    urls = database(request.param, tmp_path_factory.mktemp("text"))
    store = Store(next(urls))
    store.import_batch(mini, files=[], boundaries=geo, actor=ADMIN)
    yield store
    store.close()
    next(urls, None)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(*[_TEXT] * len(S.MONTHLY_COLUMNS)), max_size=30, unique_by=lambda r: r[:2]
    )
)
def test_any_text_round_trips(text_store, rows):
    # Keys are made unique within the upload, as validation guarantees; unique across uploads
    # by a prefix, so each example adds its own rows.
    tag = f"{text_store.current().id}|"
    frame = pd.DataFrame(rows, columns=list(S.MONTHLY_COLUMNS), dtype=str)
    frame[S.CODE] = tag + frame[S.CODE]
    text_store.import_batch({S.MONTHLY: frame}, files=["t.csv"], actor=ADMIN)
    current, _ = text_store.current_tables()
    mine = current[S.MONTHLY].loc[current[S.MONTHLY][S.CODE].str.startswith(tag)]
    assert mine.values.tolist() == frame.values.tolist()


# --- the merge by key ------------------------------------------------------------------------

PLAN = [S.CODE, S.YEAR, S.ANNUAL_PLAN]
# Hand-worked merges on 年度计划 (key: 项目代码 + 年度). The current rows are mini's four:
# A-001 2024 1000 · A-001 2025 1200 · B-002 2025 6000 · C-003 2025 2400 (in this order).
MERGES = {
    "a new key is added at the end": (
        [("D-004", "2025", "500")],
        [("A-001", "2024", "1000"), ("A-001", "2025", "1200"), ("B-002", "2025", "6000"),
         ("C-003", "2025", "2400"), ("D-004", "2025", "500")],
        (1, 0),
    ),
    "a changed row replaces the current one": (
        [("B-002", "2025", "3500")],
        [("A-001", "2024", "1000"), ("A-001", "2025", "1200"), ("C-003", "2025", "2400"),
         ("B-002", "2025", "3500")],
        (1, 1),
    ),
    "a row sent unchanged writes nothing": (
        [("A-001", "2025", "1200")],
        [("A-001", "2024", "1000"), ("A-001", "2025", "1200"), ("B-002", "2025", "6000"),
         ("C-003", "2025", "2400")],
        (0, 0),
    ),
    "the same code in another year is another row": (
        [("C-003", "2026", "900"), ("C-003", "2025", "2400")],
        [("A-001", "2024", "1000"), ("A-001", "2025", "1200"), ("B-002", "2025", "6000"),
         ("C-003", "2025", "2400"), ("C-003", "2026", "900")],
        (1, 0),
    ),
    "an empty upload changes nothing": (
        [],
        [("A-001", "2024", "1000"), ("A-001", "2025", "1200"), ("B-002", "2025", "6000"),
         ("C-003", "2025", "2400")],
        (0, 0),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", MERGES)
def test_merge_by_key(url, mini, geo, case):
    upload, expected, changes = MERGES[case]
    store = Store(url)
    store.import_batch(mini, files=["mini"], boundaries=geo, actor=ADMIN)
    batch = store.import_batch(
        {S.PLANS: pd.DataFrame(upload, columns=PLAN)}, files=["p.csv"], actor=ADMIN
    )
    tables, _ = store.current_tables()
    assert tables[S.PLANS][PLAN].values.tolist() == [list(r) for r in expected]
    assert batch.changes == {S.PLANS: changes}
    assert batch.row_counts == {**{t: len(mini[t]) for t in S.TABLES}, S.PLANS: len(expected)}
    for name in S.TABLES:  # the tables not uploaded are as they were
        if name != S.PLANS:
            assert_frame_equal(tables[name], mini[name], check_dtype=False)
    store.close()


def test_an_import_writes_only_what_it_changes(url, demo_tables, geo):
    """A month's return for one project: two rows written, one closed, nothing copied."""
    store = Store(url)
    store.import_batch(demo_tables, files=["all"], boundaries=geo, actor=ADMIN)
    project = demo_tables[S.PROJECTS].iloc[[7]].assign(**{S.ACTUAL_START: "2026-03"})
    month = demo_tables[S.MONTHLY].iloc[[0]].assign(**{S.MONTH: "2099-12"})
    batch = store.import_batch({S.PROJECTS: project, S.MONTHLY: month}, files=["one"], actor=ADMIN)
    assert batch.changes == {S.PROJECTS: (1, 1), S.MONTHLY: (1, 0)}
    tables = store.current_tables()[0]
    with store._engine.connect() as conn:
        versions = {
            name: conn.exec_driver_sql(f"SELECT count(*) FROM {S.STORE_TABLES[name]}").scalar()
            for name in S.TABLES
        }
    assert versions == {
        name: len(demo_tables[name]) + {S.PROJECTS: 1, S.MONTHLY: 1}.get(name, 0)
        for name in S.TABLES
    }
    assert tables[S.PROJECTS].iloc[-1][S.ACTUAL_START] == "2026-03"
    assert len(tables[S.PROJECTS]) == len(demo_tables[S.PROJECTS])
    store.close()


# --- history and roll-back -------------------------------------------------------------


def test_history_rollback_and_data_as_of_each_entry(url, mini, geo):
    store = Store(url)
    first = store.import_batch(mini, files=["a.csv"], note="一", boundaries=geo, actor=ADMIN)
    changed = mini[S.PROJECTS].iloc[[1]].assign(**{S.NAME: "改名的快速路"})
    second = store.import_batch({S.PROJECTS: changed}, files=["b.csv"], note="二", actor=ADMIN)
    after_second = store.current_tables()
    back = store.rollback(first.id, note="数据有误", actor=ADMIN)
    assert back == Batch(
        id=3,
        created_at=back.created_at,
        kind=ROLLBACK,
        files=(),
        note="数据有误",
        row_counts=first.row_counts,
        data_batch=1,
        restored_from=1,
        changes={name: (1, 1) if name == S.PROJECTS else (0, 0) for name in S.TABLES},
        user=ADMIN.user,
        role=ADMIN.role.value,
    )
    assert store.current() == back
    assert_tables_equal(store.current_tables(), (mini, geo))  # row order included
    assert store.history() == [back, second, first]
    # An import after a roll-back merges into the restored data.
    plan = pd.DataFrame([("E-005", "2026", "10")], columns=PLAN)
    fourth = store.import_batch({S.PLANS: plan}, files=["c.csv"], actor=ADMIN)
    expected_fourth = copy(mini)
    whole = plan.reindex(columns=S.PLAN_COLUMNS, fill_value="")  # a column added later: ""
    expected_fourth[S.PLANS] = pd.concat([mini[S.PLANS], whole], ignore_index=True)
    assert_tables_equal(store.current_tables(), (expected_fourth, geo))
    # Rolling forward to the second import restores its data, without the fourth's row.
    forward = store.rollback(second.id, actor=ADMIN)
    assert (forward.id, forward.data_batch, forward.restored_from) == (5, 2, 2)
    assert_tables_equal(store.current_tables(), after_second)
    # The data as of every entry are what was current then.
    assert_tables_equal(store.tables_as_of(1), (mini, geo))
    assert_tables_equal(store.tables_as_of(2), after_second)
    assert_tables_equal(store.tables_as_of(3), (mini, geo))
    assert_tables_equal(store.tables_as_of(fourth.id), (expected_fourth, geo))
    assert_tables_equal(store.tables_as_of(5), after_second)
    with pytest.raises(ValueError, match=CHINESE):
        store.tables_as_of(6)
    # Rolling back to a roll-back entry restores the data that entry made current.
    again = store.rollback(3, actor=ADMIN)
    assert (again.id, again.data_batch, again.restored_from) == (6, 1, 3)
    assert_tables_equal(store.current_tables(), (mini, geo))
    assert len({store_module.version_of(b) for b in store.history()}) == 6
    store.close()


def test_rollback_of_unknown_entry(url, mini, geo):
    store = Store(url)
    with pytest.raises(ValueError, match=CHINESE):
        store.rollback(1, actor=ADMIN)
    store.import_batch(mini, files=[], boundaries=geo, actor=ADMIN)
    before = state(store)
    for entry_id in (0, 2, 99):
        with pytest.raises(ValueError, match=CHINESE):
            store.rollback(entry_id, actor=ADMIN)
    assert_same_state(state(store), before)
    store.close()


def test_a_first_import_without_boundaries_keeps_an_empty_collection(url, mini, geo):
    store = Store(url)
    store.import_batch(
        {S.PROJECTS: mini[S.PROJECTS]}, files=["台账.xls"], actor=ADMIN
    )  # a ledger alone
    assert store.current_tables()[1] == {"type": "FeatureCollection", "features": []}
    assert store.current_tables()[0][S.MONTHLY].empty  # the tables not given are empty
    store.import_batch({}, files=["b.geojson"], boundaries=geo, actor=ADMIN)
    assert store.current_tables()[1] == geo
    store.close()


def test_boundaries_kept_until_new_ones_come(url, mini, geo):
    store = Store(url)
    other = {"type": "FeatureCollection", "features": [], "name": "另一份边界"}
    store.import_batch(mini, files=[], boundaries=geo, actor=ADMIN)
    store.import_batch({}, files=[], actor=ADMIN)  # keeps entry 1's boundaries
    assert store.current_tables()[1] == geo
    store.import_batch({}, files=[], boundaries=other, actor=ADMIN)
    assert store.current_tables()[1] == other
    store.rollback(2, actor=ADMIN)
    assert store.current_tables()[1] == geo
    store.import_batch({}, files=[], actor=ADMIN)  # keeps the boundaries of the roll-back
    assert store.current_tables()[1] == geo
    store.close()


def test_invalid_imports_change_nothing(url, mini, geo):
    store = Store(url)
    store.import_batch(mini, files=[], boundaries=geo, actor=ADMIN)
    before = state(store)
    short = {S.MONTHLY: mini[S.MONTHLY].drop(columns=[S.MONTH])}
    with pytest.raises(ValueError, match=f"{S.MONTHLY}缺少必需的列.*{S.MONTH}"):
        store.import_batch(short, files=[], actor=ADMIN)
    with pytest.raises(ValueError, match=CHINESE):
        store.import_batch(mini, files=[], boundaries="not a dict", actor=ADMIN)
    assert_same_state(state(store), before)
    store.close()


# --- atomicity -------------------------------------------------------------------------


@pytest.mark.parametrize("earlier_batches", [0, 1])
def test_import_failing_half_way_changes_nothing(url, mini, geo, monkeypatch, earlier_batches):
    store = Store(url)
    for _ in range(earlier_batches):
        store.import_batch(mini, files=["a.csv"], boundaries=geo, actor=ADMIN)
    before = state(store)

    merge = store_module._merge_rows
    calls = []

    def failing(conn, name, entry_id, frame, current_rows):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("injected failure")
        return merge(conn, name, entry_id, frame, current_rows)

    changed = copy(mini)
    changed[S.PROJECTS][S.NAME] = changed[S.PROJECTS][S.NAME] + "(改)"
    monkeypatch.setattr(store_module, "_merge_rows", failing)
    with pytest.raises(RuntimeError, match="injected"):
        store.import_batch(changed, files=["b.csv"], boundaries=geo, actor=ADMIN)
    assert calls == list(S.TABLES[:3])  # two tables were written, then undone
    assert_same_state(state(store), before)
    assert_same_state(state(Store(url)), before)

    monkeypatch.setattr(store_module, "_merge_rows", merge)
    batch = store.import_batch(changed, files=["c.csv"], boundaries=geo, actor=ADMIN)
    assert batch.id == earlier_batches + 1  # the failed import left no gap in the numbering
    assert_tables_equal(store.current_tables(), (changed, geo))
    store.close()


@pytest.mark.parametrize("point", [S.PROJECTS, S.INDICATORS, "entry"])
@pytest.mark.parametrize("operation", ["import", "rollback"])
def test_killed_import_or_rollback_changes_nothing(url, mini, geo, operation, point):
    """SIGKILL inside the transaction, after the first table, the last one, or the entry row:
    the store is exactly as before, on both databases, and the next write numbers on."""
    store = Store(url)
    store.import_batch(mini, files=["a.csv"], boundaries=geo, actor=ADMIN)
    changed = mini[S.PROJECTS].iloc[[0]].assign(**{S.NAME: "第二批"})
    store.import_batch({S.PROJECTS: changed}, files=["b.csv"], actor=ADMIN)
    before = state(store)
    kill_inside(url, operation, point)
    assert_same_state(state(Store(url)), before)
    assert_same_state(state(store), before)
    batch = (
        store.rollback(1, actor=ADMIN)
        if operation == "rollback"
        else store.import_batch({}, files=[], actor=ADMIN)
    )
    assert batch.id == 3
    store.close()


# --- a version that moved under the user --------------------------------------------------


def _project(mini, code: str, name: str) -> pd.DataFrame:
    return mini[S.PROJECTS].iloc[[0]].assign(**{S.CODE: code, S.NAME: name})


# What happened between the check (against the version `seen`) and the commit, and whether the
# commit then goes ahead or is refused with the words given.
MOVES = {
    "nothing": (None, None),
    "an import of other projects": ("other", None),
    "an import of the same project": ("same", "其间的导入也更新了本次上传的“N-1”等1项"),
    "an import of another table of the same project": ("same-plan", "“N-1”等1项"),
    "a roll-back": ("rollback", "其间有回滚"),
    "an import of new boundaries": ("boundaries", "其间更换了区县边界"),
}


@pytest.mark.parametrize("case", MOVES)
def test_import_against_a_moved_version(url, mini, geo, case):
    between, refusal = MOVES[case]
    store = Store(url)
    store.import_batch(mini, files=["a"], boundaries=geo, actor=ADMIN)
    store.import_batch({S.PROJECTS: _project(mini, "N-1", "先有的")}, files=["b"], actor=ADMIN)
    seen = store.version()
    if between == "other":
        store.import_batch({S.PROJECTS: _project(mini, "O-1", "他人的")}, files=["o"], actor=ADMIN)
    elif between == "same":
        store.import_batch(
            {S.PROJECTS: _project(mini, "N-1", "他人改的")}, files=["o"], actor=ADMIN
        )
    elif between == "same-plan":
        plan = pd.DataFrame([("N-1", "2026", "5")], columns=PLAN)
        store.import_batch({S.PLANS: plan}, files=["o"], actor=ADMIN)
    elif between == "rollback":
        store.rollback(1, actor=ADMIN)
    elif between == "boundaries":
        store.import_batch({}, files=["g"], boundaries=geo, actor=ADMIN)
    before = state(store)
    mine = {S.PROJECTS: _project(mini, "N-1", "我改的")}
    if refusal is None:
        store.import_batch(mine, files=["mine"], seen_version=seen, actor=ADMIN)
        projects = store.current_tables()[0][S.PROJECTS].set_index(S.CODE)[S.NAME]
        assert projects["N-1"] == "我改的"
        if between == "other":
            assert projects["O-1"] == "他人的"  # both kept
    else:
        with pytest.raises(VersionMoved, match=re.escape(refusal)) as refused:
            store.import_batch(mine, files=["mine"], seen_version=seen, actor=ADMIN)
        assert str(refused.value).endswith("本次未导入:请重新检查后再确认导入。")
        assert_same_state(state(store), before)
    store.close()


def test_rollback_refuses_a_moved_version(url, mini, geo):
    store = Store(url)
    store.import_batch(mini, files=["a"], boundaries=geo, actor=ADMIN)
    seen = store.version()
    store.import_batch({S.PROJECTS: _project(mini, "N-1", "新")}, files=["b"], actor=ADMIN)
    moved = store.current()
    before = state(store)
    with pytest.raises(VersionMoved) as refused:
        store.rollback(1, seen_version=seen, actor=ADMIN)
    assert str(refused.value) == (
        f"在您打开本页之后,数据已更新为第2批(导入于{moved.created_at:%Y-%m-%d %H:%M})。"
        "为免误操作,本次未回滚:请核对最新的导入历史后再操作。"
    )
    assert_same_state(state(store), before)
    assert store.rollback(1, seen_version=store.version(), actor=ADMIN).id == 3
    store.close()


# --- configuration ---------------------------------------------------------------------


def test_database_url(monkeypatch, tmp_path):
    default = f"sqlite:///{REPO / 'data' / 'briefing.sqlite'}"
    monkeypatch.delenv(DATABASE_URL_SETTING, raising=False)
    assert database_url() == default
    assert database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    monkeypatch.setenv(DATABASE_URL_SETTING, f"sqlite:///{tmp_path}/env.sqlite")
    assert database_url() == f"sqlite:///{tmp_path}/env.sqlite"
    assert database_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert Store().url == f"sqlite:///{tmp_path}/env.sqlite"
    assert (tmp_path / "env.sqlite").exists()


def test_sqlite_folder_is_created(tmp_path):
    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        store = Store(f"sqlite:///{folder}/new/sub/s.sqlite")
        assert store.current() is None
        assert Path(folder, "new", "sub", "s.sqlite").exists()
        store.close()
