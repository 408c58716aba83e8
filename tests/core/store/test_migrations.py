"""Schema changes: a store of the first release (commit b78a055) migrates to row versions with
its history intact, on SQLite and on PostgreSQL; the revisions build exactly the tables the code
defines; `python -m core migrate` says what it did."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pandas.testing import assert_frame_equal

from core.base import schema as S
from core.store import migrations
from core.store.versions import METADATA, ROLLBACK, Store
from tests.access_kit import ADMIN
from tests.store_kit import cli

FIXTURES = Path(__file__).parents[2] / "fixtures" / "store"
# The tables of the first release; those added since are empty in its store once migrated.
RELEASE_TABLES = (S.PROJECTS, S.PLANS, S.MONTHLY, S.FUNDING, S.PROBLEMS, S.INDICATORS)


def load_release(url: str) -> None:
    """Write the first release's store (tests/fixtures/store, made by its own code) into the
    empty database at `url`."""
    engine = sa.create_engine(url)
    kind = engine.dialect.name
    script = (FIXTURES / f"release-b78a055.{kind}.sql").read_text(encoding="utf-8")
    raw = engine.raw_connection()
    try:
        if kind == "sqlite":
            raw.driver_connection.executescript(script)
        else:
            raw.driver_connection.execute(script)
            raw.commit()
    finally:
        raw.close()
        engine.dispose()


def release_data(url: str) -> dict[int, dict[str, pd.DataFrame]]:
    """The data each history entry made current, read from the release's full copies."""
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        entries = conn.execute(sa.text("SELECT id, data_batch FROM batches ORDER BY id")).all()
        for entry in entries:
            out[entry.id] = {
                t: pd.DataFrame({h: pd.Series(dtype=object) for h in S.COLUMNS[t]})
                for t in S.TABLES
                if t not in RELEASE_TABLES
            }
            for table in RELEASE_TABLES:
                rows = conn.execute(
                    sa.text(
                        f"SELECT * FROM {S.STORE_TABLES[table]} WHERE batch_id = :b ORDER BY row_no"
                    ),
                    {"b": entry.data_batch},
                )
                frame = pd.DataFrame(rows.all(), columns=list(rows.keys()))
                # A column added by a later revision is empty in the rows of the release.
                out[entry.id][table] = pd.DataFrame(
                    {h: frame.get(S.STORE_COLUMNS[h], "") for h in S.COLUMNS[table]}
                )
    engine.dispose()
    return out


def assert_same_rows(actual: pd.DataFrame, expected: pd.DataFrame, table: str) -> None:
    key = list(S.KEYS[table])
    assert_frame_equal(
        actual.sort_values(key, ignore_index=True),
        expected.sort_values(key, ignore_index=True),
        check_dtype=False,
    )


def versions(store: Store) -> int:
    with store._engine.connect() as conn:
        return sum(
            conn.execute(sa.text(f"SELECT count(*) FROM {S.STORE_TABLES[t]}")).scalar()
            for t in S.TABLES
        )


def test_a_first_release_store_migrates_with_its_history(url):
    load_release(url)
    before = release_data(url)
    copies = sum(len(df) for tables in before.values() for df in tables.values())
    store = Store(url)  # opening it migrates it
    with store._engine.connect() as conn:
        assert migrations.revision(conn) == migrations.head()
    history = store.history()
    assert [(b.id, b.kind, b.note, b.data_batch, b.restored_from) for b in history] == [
        (4, "导入", "更正计划", 4, None),
        (3, ROLLBACK, "三月数据有误", 1, 1),
        (2, "导入", "三月月报", 2, None),
        (1, "导入", "首次导入", 1, None),
    ]
    assert history[3].changes == {t: (len(before[1][t]), 0) for t in RELEASE_TABLES}
    # Entry 2 changed one project and added one month; the roll-back undid both; entry 4 changed
    # one plan on top of entry 1's data.
    assert {t: c for t, c in history[2].changes.items() if c != (0, 0)} == {
        S.PROJECTS: (1, 1),
        S.MONTHLY: (1, 0),
    }
    assert {t: c for t, c in history[1].changes.items() if c != (0, 0)} == {
        S.PROJECTS: (1, 1),
        S.MONTHLY: (0, 1),
    }
    assert {t: c for t, c in history[0].changes.items() if c != (0, 0)} == {S.PLANS: (1, 1)}
    # The same rows as of every entry; a row an import changed in place now comes after the
    # others (an import's rows follow the rows it kept), so the order is compared by key.
    for entry_id, expected in before.items():
        tables, _ = store.tables_as_of(entry_id)
        for name in S.TABLES:
            assert_same_rows(tables[name], expected[name], name)
        counts = store.history()[-entry_id].row_counts
        assert counts == {t: len(expected[t]) for t in RELEASE_TABLES}
    assert versions(store) == len(before[1][S.PROJECTS]) + 4 + sum(
        len(before[1][t]) for t in S.TABLES if t != S.PROJECTS
    )  # one copy, two changed projects, one plan, one month
    assert versions(store) < copies / 3
    # And it works on: an import merges, a roll-back restores the migrated data.
    geo = store.current_tables()[1]
    given = [S.CODE, S.YEAR, S.ANNUAL_PLAN]  # a column added later is optional: empty here
    plan = pd.DataFrame([("A-001", "2026", "7")], columns=given)
    store.import_batch({S.PLANS: plan}, files=["新.csv"], actor=ADMIN)
    assert store.current_tables()[0][S.PLANS].iloc[-1][given].tolist() == ["A-001", "2026", "7"]
    store.rollback(2, actor=ADMIN)
    tables, boundaries = store.current_tables()
    assert boundaries == geo
    for name in S.TABLES:
        assert_same_rows(tables[name], before[2][name], name)
    store.close()


def test_the_revisions_build_the_tables_the_code_defines(url):
    Store(url).close()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                # Tables of other modules' revisions are theirs to compare.
                "include_name": lambda name, kind, _parent: (
                    kind != "table" or name in METADATA.tables
                ),
            },
        )
        assert compare_metadata(context, METADATA) == []
    engine.dispose()


def test_migrating_twice_and_from_nothing(url):
    store = Store(url, migrate=False)
    assert store.migrate() == (None, migrations.head())
    assert store.migrate() == (migrations.head(), migrations.head())
    store.close()


def test_migrate_command(tmp_path):
    url = f"sqlite:///{tmp_path}/release.sqlite"
    load_release(url)
    code, out, _ = cli("--database", url, "migrate")
    assert (code, out) == (0, f"数据库结构已从版本0001升级到{migrations.head()}。\n")
    code, out, _ = cli("--database", url, "migrate")
    assert (code, out) == (0, f"数据库结构已是最新版本({migrations.head()}),无需升级。\n")
    code, out, _ = cli("--database", url, "history")
    assert code == 0 and "第3批 " in out and "回滚" in out
    assert Store(url).history()[0].files == ("更正.csv",)
