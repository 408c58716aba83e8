"""The monthly cycle of a 重大办: 存在问题 gains the 督办 columns (交办日期, 办结时限, 办理状态,
办理情况, 办结日期, 销号日期), 项目清单 gains 所属园区, and two tables of row versions are new:
节点计划 (milestones) and 红黑榜豁免 (exemptions). The rows stored get "" in the new columns."""

import sqlalchemy as sa
from alembic import op

from core.store.migrations import add_optional_column

revision = "0006"
down_revision = "0005"

COLUMNS = {
    "projects": ("park",),
    "problems": (
        "assigned_on",
        "deadline",
        "handling_state",
        "handling_notes",
        "closed_on",
        "cleared_on",
    ),
}
# The new tables' columns and keys, frozen as they are at this revision.
TABLES = {
    "milestones": (("code", "node", "node_planned", "node_actual"), ("code", "node")),
    "exemptions": (
        ("unit_kind", "unit_name", "month", "reason"),
        ("unit_kind", "unit_name", "month"),
    ),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            add_optional_column(table, column)
    for table, (columns, key) in TABLES.items():
        op.create_table(
            table,
            sa.Column("origin", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("valid_from", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("valid_to", sa.Integer, nullable=True),
            *(sa.Column(c, sa.Text, nullable=False) for c in columns),
            sqlite_with_rowid=False,
        )
        op.create_index(
            f"ix_{table}_current",
            table,
            list(key),
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
