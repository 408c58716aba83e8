"""The databases the store's tests run on (fixtures in conftest.py): a SQLite file, and a real PostgreSQL server.

Every PostgreSQL test gets a database of its own, created on the server named by
BRIEFING_TEST_POSTGRES_URL (default: the role `briefing` on 127.0.0.1, which `.ci/run` creates)
and dropped afterwards. Without a server the PostgreSQL cases are skipped with a message, unless
BRIEFING_REQUIRE_POSTGRES=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES_SETTING = "BRIEFING_TEST_POSTGRES_URL"
REQUIRE_SETTING = "BRIEFING_REQUIRE_POSTGRES"
DEFAULT_POSTGRES = "postgresql+psycopg://briefing:briefing@127.0.0.1:5432/postgres"
DATABASES = ["sqlite", "postgresql"]


def _server() -> sa.URL:
    return sa.make_url(os.environ.get(POSTGRES_SETTING) or DEFAULT_POSTGRES)


_reachable: dict[str, str | None] = {}


def _unreachable_reason() -> str | None:
    if "reason" not in _reachable:
        try:
            engine = sa.create_engine(_server(), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            engine.dispose()
            _reachable["reason"] = None
        except Exception as exc:  # any failure to connect means: no server to test against
            _reachable["reason"] = (
                f"no PostgreSQL server at {_server().render_as_string(hide_password=True)} "
                f"({type(exc).__name__}); set {POSTGRES_SETTING} or run .ci/run as root"
            )
    return _reachable["reason"]


def postgres_database():
    """Create a fresh database; yields its URL, and drops it afterwards."""
    reason = _unreachable_reason()
    if reason:
        if os.environ.get(REQUIRE_SETTING) == "1":
            pytest.fail(f"{REQUIRE_SETTING}=1 but {reason}")
        pytest.skip(reason)
    name = f"briefing_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(_server(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield _server().set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database(kind: str, folder: Path):
    """A new, empty database of the kind ("sqlite" or "postgresql"); yields its URL."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/s.sqlite"
    else:
        yield from postgres_database()
