"""Site photos in the history: each upload is a history entry (`batch_id`, the batches row that
brought it; empty for photos uploaded before), so a roll-back hides it as it does an import's
rows; and the file as uploaded is kept beside the picture shown (`original`, `original_name`)."""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.add_column("project_photos", sa.Column("batch_id", sa.Integer, nullable=True))
    op.add_column("project_photos", sa.Column("original", sa.LargeBinary, nullable=True))
    op.add_column(
        "project_photos",
        sa.Column("original_name", sa.Text, nullable=False, server_default=""),
    )
