"""Drafts of the 在线填报 form (filling_drafts): a county's return for a month as entered, saved
to be finished later, and when it was submitted; and the heads of the office's own ledgers
(ledger_heads), in which the pre-filled returns are written."""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "filling_drafts",
        sa.Column("county", sa.Text, primary_key=True),
        sa.Column("month", sa.Text, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.DateTime, nullable=True),
        sa.Column("batch_id", sa.Integer, nullable=True),
    )
    op.create_table(
        "ledger_heads",
        sa.Column("signature", sa.Text, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
