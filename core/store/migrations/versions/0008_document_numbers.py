"""The serial numbers of the documents the office issues (document_numbers): the 简报's 第N期
and the 督办单's 督办〔年〕N号, per kind and year."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "document_numbers",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("issued_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("kind", "year", "subject", name="uq_document_numbers_subject"),
    )
