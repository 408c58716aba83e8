"""Site photos of a project's monthly return (project_photos), kept beside the data: read only
by the project page (一项目一档)."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "project_photos",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("month", sa.Text, nullable=False),
        sa.Column("image", sa.LargeBinary, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
        sa.Column("user_name", sa.Text, nullable=False),
        sa.Column("user_role", sa.Text, nullable=False),
    )
    op.create_index("ix_project_photos_code", "project_photos", ["code"])
