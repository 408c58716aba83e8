"""Each project's monthly plan (project_month_plans): the amount planned from January to each
month, what 序时进度 by the projects' own plans ([schedule] convention = "plans") measures against."""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.create_table(
        "project_month_plans",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("month", sa.Text, primary_key=True),
        sa.Column("planned", sa.Float, nullable=False),
        sa.Column("batch_id", sa.Integer, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
