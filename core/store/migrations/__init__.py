"""Schema changes of the store, as Alembic revisions in versions/: applied when a Store opens a
database and by `python -m core migrate`.

Revision 0001 is the schema of the first release (commit b78a055), which had no Alembic: such a
database is recognised by its tables, stamped 0001 and upgraded. An empty database is upgraded
from nothing. Every upgrade runs in one transaction that first takes a lock (SQLite: BEGIN
IMMEDIATE; PostgreSQL: an advisory lock), so app processes starting together migrate once and
a failed or killed upgrade leaves the database as it was.

Adding a column or a table: README, "Changing the store's schema".
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command, op
from alembic.config import Config
from alembic.script import ScriptDirectory

HERE = Path(__file__).parent
FIRST_RELEASE = "0001"
VERSION_TABLE = "alembic_version"
_RELEASE_TABLE = "batches"  # present in every store of the first release
# Any constant will do: it names the lock for pg_advisory_xact_lock across processes.
_PG_LOCK_ID = 0x6272_6965_6669_6E67  # "briefing"


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The newest revision: what the code expects of the database."""
    return ScriptDirectory.from_config(_config()).get_current_head()


@cache
def known() -> frozenset[str]:
    """Every revision this code knows: a database at another one was made by a newer program."""
    return frozenset(r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions())


def revision(conn: sa.Connection) -> str | None:
    """The database's revision; FIRST_RELEASE for an unstamped store of the first release;
    None for an empty database."""
    names = sa.inspect(conn).get_table_names()
    if VERSION_TABLE in names:
        return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return FIRST_RELEASE if _RELEASE_TABLE in names else None


def upgrade(engine: sa.Engine) -> tuple[str | None, str]:
    """Bring the database to the newest revision; returns (revision before, after)."""
    with engine.connect() as conn:
        if revision(conn) == head():  # the usual case, read without taking any lock
            return head(), head()
    with engine.execution_options(write_lock=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        before = revision(conn)  # again, under the lock: another process may have done it
        config = _config(conn)
        if before == FIRST_RELEASE and VERSION_TABLE not in sa.inspect(conn).get_table_names():
            command.stamp(config, FIRST_RELEASE)
        if before != head():
            command.upgrade(config, "head")
    return before, head()


def add_optional_column(table: str, column: str) -> None:
    """The whole upgrade() of a revision that adds an optional column (core.base.schema): the
    rows already stored get "" (empty) in it, as an import stores an empty cell."""
    op.add_column(table, sa.Column(column, sa.Text, nullable=False, server_default=""))
