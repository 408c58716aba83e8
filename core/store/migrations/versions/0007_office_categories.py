"""The office's own categories that imports add, kept in its database (office_categories)
instead of being written into the settings file."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "office_categories",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
        sa.Column("batch_id", sa.Integer, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
    )
