"""The store as the first release left it (commit b78a055), before Alembic: a full copy of every
table per import.

A database of that release has these tables and no alembic_version table; it is stamped with
this revision and then upgraded. Frozen: later schema changes are new revisions, never edits here.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None

COLUMNS = {
    "projects": (
        "code", "name", "county", "sector", "level", "stage", "nature", "newly_attracted",
        "high_tech", "owner", "leader", "total_investment", "planned_start", "actual_start",
        "planned_end", "lon", "lat", "subsidy_sought",
    ),
    "annual_plans": ("code", "year", "annual_plan"),
    "monthly_progress": ("code", "month", "month_completed", "progress_text"),
    "funding": ("code", "funding_source", "funding_amount", "funding_month"),
    "problems": (
        "problem_id", "code", "problem_type", "problem_text", "raised", "resolved",
        "responsible_unit",
    ),
    "indicators": ("indicator_group", "indicator", "period", "value", "unit", "target"),
}  # fmt: skip


def upgrade() -> None:
    lock = op.create_table(
        "store_lock",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("writes", sa.Integer, nullable=False),
    )
    op.bulk_insert(lock, [{"id": 1, "writes": 0}])
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("row_counts", sa.Text, nullable=False),
        sa.Column("data_batch", sa.Integer, nullable=False),
        sa.Column("restored_from", sa.Integer, nullable=True),
        sa.Column("boundaries_batch", sa.Integer, nullable=False),
    )
    op.create_table(
        "boundaries",
        sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("geojson", sa.Text, nullable=False),
    )
    for table, columns in COLUMNS.items():
        op.create_table(
            table,
            sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
            *(sa.Column(c, sa.Text, nullable=False) for c in columns),
            sqlite_with_rowid=False,
        )


def downgrade() -> None:
    for table in (*COLUMNS, "boundaries", "batches", "store_lock"):
        op.drop_table(table)
