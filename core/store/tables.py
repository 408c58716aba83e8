"""Every table of the database, defined once on one MetaData, and where the database is.

The data tables (one per core.base.schema table) keep row versions (core.store.versions); beside
them the history entries, the boundaries, ledger layouts, agendas, accounts and the audit trail.
A new table is defined here; a revision in core.store.migrations creates it.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from core import ROOT
from core.base import schema as S

DATABASE_URL_SETTING = "BRIEFING_DATABASE_URL"
DEFAULT_DATABASE = ROOT / "data" / "briefing.sqlite"

METADATA = sa.MetaData()  # every table of the database; a new table is defined on it too
_LOCK = sa.Table(
    "store_lock",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("writes", sa.Integer, nullable=False),
)
_BATCHES = sa.Table(
    "batches",
    METADATA,
    # Numbered by the store under the lock (not a sequence), so failed imports leave no gaps.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("files", sa.Text, nullable=False),  # JSON list of file names
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("row_counts", sa.Text, nullable=False),  # JSON object: table name → rows
    sa.Column("data_batch", sa.Integer, nullable=False),
    sa.Column("restored_from", sa.Integer, nullable=True),
    sa.Column("boundaries_batch", sa.Integer, nullable=False),
    # JSON object: table name → [versions written, versions closed] by this entry
    sa.Column("changes", sa.Text, nullable=False, server_default="{}"),
    # Who made the entry (revision 0005): the account and its role; "" in older entries.
    sa.Column("user_name", sa.Text, nullable=False, server_default=""),
    sa.Column("user_role", sa.Text, nullable=False, server_default=""),
)
_BOUNDARIES = sa.Table(
    "boundaries",
    METADATA,
    sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("geojson", sa.Text, nullable=False),
)
# Beside the data: the ledger layouts a person confirmed (core.ingest.layouts) and the meeting
# agendas (core.output.agenda), saved in the same database so that a backup holds them too.
LAYOUTS = sa.Table(
    "ledger_layouts",
    METADATA,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("signature", sa.Text, nullable=False, index=True),
    sa.Column("body", sa.Text, nullable=False),  # JSON: fields, sections, defaults
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
AGENDAS = sa.Table(
    "agendas",
    METADATA,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("views", sa.Text, nullable=False),  # JSON list of agenda views
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
# Who may do what (core.access): the accounts, and the trail of who did what. The trail is only
# ever appended to (core.store.audit has no way to change or remove an entry), and a restore
# from a backup keeps the database's own accounts and trail (core.store.recovery).
USERS = sa.Table(
    "users",
    METADATA,
    sa.Column("username", sa.Text, primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False, server_default=""),
    sa.Column("role", sa.Text, nullable=False),  # core.policy.roles.Role
    sa.Column("counties", sa.Text, nullable=False, server_default="[]"),  # JSON list
    # Single sign-on: matched by the subject, else by the e-mail (lower case); "" for none.
    sa.Column("email", sa.Text, nullable=False, server_default="", index=True),
    sa.Column("subject", sa.Text, nullable=False, server_default="", index=True),
    # An argon2 hash (never the password); "" for an account that signs in only by SSO.
    sa.Column("password_hash", sa.Text, nullable=False, server_default=""),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime, nullable=True),
    sa.Column("last_sign_in", sa.DateTime, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
AUDIT = sa.Table(
    "audit_trail",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("user_name", sa.Text, nullable=False),  # "" for an anonymous request
    sa.Column("user_role", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False, index=True),  # core.store.audit's words
    sa.Column("target", sa.Text, nullable=False),  # what it acted on: a batch, a user, a file
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("origin", sa.Text, nullable=False),  # 本机, an address, user@host for the CLI
)
# The office's own categories that imports added to the lists of its settings file
# (core.store.categories): kind is the settings key (sectors, levels, problem_types).
CATEGORIES = sa.Table(
    "office_categories",
    METADATA,
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("batch_id", sa.Integer, nullable=False),  # the import that brought it
    sa.Column("added_at", sa.DateTime, nullable=False),
)
# The serial numbers of the documents the office issues (core.store.numbers): 简报 第N期 and
# 督办〔2026〕N号, counted per kind and year; the same subject (a scope and period, a unit) keeps
# the number it was first given.
DOCUMENT_NUMBERS = sa.Table(
    "document_numbers",
    METADATA,
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("issued_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("kind", "year", "subject", name="uq_document_numbers_subject"),
)
# Site photos of a project's monthly return (core.store.photos): re-encoded without EXIF, read
# only by the project page, never with the data every page loads.
PHOTOS = sa.Table(
    "project_photos",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.Text, nullable=False, index=True),  # 项目代码
    sa.Column("month", sa.Text, nullable=False),  # 年月 of the return, "2026-02"
    sa.Column("image", sa.LargeBinary, nullable=False),  # JPEG sized for the screen
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("user_role", sa.Text, nullable=False),
    # Revision 0010: the history entry of the upload (empty before), the file as uploaded.
    sa.Column("batch_id", sa.Integer, nullable=True),
    sa.Column("original", sa.LargeBinary, nullable=True),
    sa.Column("original_name", sa.Text, nullable=False, server_default=""),
)
# 在线填报 drafts (core.store.drafts): a county's form for a month, saved to be finished later;
# one per county and month, marked when it was submitted as a batch.
DRAFTS = sa.Table(
    "filling_drafts",
    METADATA,
    sa.Column("county", sa.Text, primary_key=True),
    sa.Column("month", sa.Text, primary_key=True),  # 年月 of the return, "2026-03"
    sa.Column("body", sa.Text, nullable=False),  # JSON: the form's rows as entered
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.Column("user_name", sa.Text, nullable=False),
    sa.Column("submitted_at", sa.DateTime, nullable=True),  # empty while a draft
    sa.Column("batch_id", sa.Integer, nullable=True),  # the history entry it was submitted as
)
# The head of an office's own ledger (title, sheet, unit, header) by its layout's signature,
# kept when the ledger is imported: the pre-filled return is written in it
# (core.ingest.ledger_heads).
LEDGER_HEADS = sa.Table(
    "ledger_heads",
    METADATA,
    sa.Column("signature", sa.Text, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),  # JSON
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
# Each project's monthly plan (core.store.month_plans, revision 0012): the amount planned from
# January to the month, what 序时进度 "plans" measures against; a ledger's plans for a project's
# year replace those stored for that year.
MONTH_PLANS = sa.Table(
    "project_month_plans",
    METADATA,
    sa.Column("code", sa.Text, primary_key=True),  # 项目代码
    sa.Column("month", sa.Text, primary_key=True),  # "2026-03"
    sa.Column("planned", sa.Float, nullable=False),  # 万元, January to the month
    sa.Column("batch_id", sa.Integer, nullable=True),  # the import that brought it
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
# The key (origin, row_no, valid_from) orders every read: SQLite stores such a table clustered on
# it (WITHOUT ROWID), so reading the data is one sequential scan; other databases ignore the
# option. The partial index on the current rows' keys finds, for an import, the rows it
# replaces without reading the table.
_DATA = {
    table: sa.Table(
        S.STORE_TABLES[table],
        METADATA,
        sa.Column("origin", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("valid_from", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("valid_to", sa.Integer, nullable=True),
        *(sa.Column(S.STORE_COLUMNS[h], sa.Text, nullable=False) for h in S.COLUMNS[table]),
        sa.Index(
            f"ix_{S.STORE_TABLES[table]}_current",
            *(S.STORE_COLUMNS[h] for h in S.KEYS[table]),
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        ),
        sqlite_with_rowid=False,
    )
    for table in S.TABLES
}


def database_url(explicit: str | None = None) -> str:
    """The URL given, else the BRIEFING_DATABASE_URL environment variable, else the SQLite file."""
    if explicit:
        return explicit
    return os.environ.get(DATABASE_URL_SETTING, "").strip() or f"sqlite:///{DEFAULT_DATABASE}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    name = parsed.database
    if name.startswith("file:"):  # sqlite:///file:/path?mode=ro&uri=true
        name = name[len("file:") :].split("?")[0]
    return Path(name)


def where(url: str) -> str:
    """The database as a user may be told it: the file, or the server without the password."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    parsed = sa.make_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or ''}/{parsed.database or ''}".replace(
        ":/", "/"
    )
