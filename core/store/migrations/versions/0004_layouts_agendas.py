"""The tables kept beside the data: saved ledger layouts (台账格式) and meeting agendas (会议议程).

Both were created by their own modules until now; a database that already has them keeps them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())
    if "ledger_layouts" not in present:
        op.create_table(
            "ledger_layouts",
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("signature", sa.Text, nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
        )
        op.create_index("ix_ledger_layouts_signature", "ledger_layouts", ["signature"])
    if "agendas" not in present:
        op.create_table(
            "agendas",
            sa.Column("name", sa.Text, primary_key=True),
            sa.Column("views", sa.Text, nullable=False),
            sa.Column("updated_at", sa.DateTime, nullable=False),
        )
