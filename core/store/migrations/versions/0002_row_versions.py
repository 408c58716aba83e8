"""History as row versions: each row is valid from the entry that wrote it until the entry that
replaced it (valid_to, empty while current), instead of a full copy of every table per import.

The old copies are turned into versions entry by entry: a row that an import re-sent unchanged
keeps its version, a row that changed or disappeared is closed, and a roll-back re-opens the rows
of the import it restored. The data as of every entry, and so history and roll-back, stay as they
were; the database shrinks to about one copy plus what each import changed.
"""

import json

import pandas as pd
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

# Each table's key, frozen as it was at this revision (core.base.schema.KEYS in database names).
KEYS = {
    "projects": ("code",),
    "annual_plans": ("code", "year"),
    "monthly_progress": ("code", "month"),
    "funding": ("code", "funding_source", "funding_month"),
    "problems": ("problem_id",),
    "indicators": ("indicator", "period"),
}
# The tables' names in history entries (core.base.schema), frozen likewise.
NAMES = {
    "projects": "项目清单",
    "annual_plans": "年度计划",
    "monthly_progress": "月度进度",
    "funding": "资金来源",
    "problems": "存在问题",
    "indicators": "指标",
}
_ID = ["origin", "row_no"]


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("batches", sa.Column("changes", sa.Text, nullable=False, server_default="{}"))
    entries = conn.execute(sa.text("SELECT id, data_batch FROM batches ORDER BY id")).all()
    changes: dict[int, dict[str, list[int]]] = {e.id: {} for e in entries}
    for table, key in KEYS.items():
        columns = [
            c["name"]
            for c in sa.inspect(conn).get_columns(table)
            if c["name"] not in ("batch_id", "row_no")
        ]
        new = op.create_table(
            f"{table}_new",
            sa.Column("origin", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("valid_from", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("valid_to", sa.Integer, nullable=True),
            *(sa.Column(c, sa.Text, nullable=False) for c in columns),
            sqlite_with_rowid=False,
        )
        versions = _versions(conn, table, columns, entries, changes)
        rows = versions.to_dict("records")
        for start in range(0, len(rows), 50_000):
            conn.execute(new.insert(), rows[start : start + 50_000])
        op.drop_table(table)
        op.rename_table(f"{table}_new", table)
        op.create_index(
            f"ix_{table}_current",
            table,
            list(key),
            sqlite_where=sa.text("valid_to IS NULL"),
            postgresql_where=sa.text("valid_to IS NULL"),
        )
    for entry_id, counts in changes.items():
        conn.execute(
            sa.text("UPDATE batches SET changes = :c WHERE id = :i"),
            {"c": json.dumps(counts, ensure_ascii=False), "i": entry_id},
        )


def _versions(conn, table, columns, entries, changes) -> pd.DataFrame:
    """Every version of the table's rows, from the full copies of the old layout."""
    live = pd.DataFrame({c: pd.Series(dtype=object) for c in [*_ID, "valid_from", *columns]})
    closed = []
    ids_of: dict[int, pd.DataFrame] = {}  # an import's rows → the (origin, row_no) they became
    for entry in entries:
        select = f"SELECT row_no, {', '.join(columns)} FROM {table} WHERE batch_id = :b"
        found = conn.execute(sa.text(select + " ORDER BY row_no"), {"b": entry.data_batch})
        rows = pd.DataFrame(found.all(), columns=["row_no", *columns])
        if entry.data_batch == entry.id:  # an import: rows matched to the live ones by content
            wanted = rows.assign(_k=_content(rows, columns))
            have = live.assign(_k=_content(live, columns))
            pairs = wanted[["_k"]].merge(have[[*_ID, "_k"]], on="_k", how="left")
            ids = pd.DataFrame(
                {
                    "origin": pairs["origin"].fillna(entry.id).astype(int).to_numpy(),
                    "row_no": pairs["row_no"].fillna(rows["row_no"]).astype(int).to_numpy(),
                }
            )
            ids_of[entry.id] = ids
        else:  # a roll-back: the rows of the import it restored, under their own ids
            ids = ids_of[entry.data_batch]
        target = pd.concat([ids, rows[columns].reset_index(drop=True)], axis=1)
        live_ids = pd.MultiIndex.from_frame(live[_ID].astype(int))
        target_ids = pd.MultiIndex.from_frame(target[_ID])
        keep = live_ids.isin(target_ids)
        added = target.loc[~target_ids.isin(live_ids)].assign(valid_from=entry.id)
        closed.append(live.loc[~keep].assign(valid_to=entry.id))
        live = pd.concat([live.loc[keep], added], ignore_index=True)
        changes[entry.id][NAMES[table]] = [len(added), int((~keep).sum())]
    every = pd.concat([*closed, live.assign(valid_to=None)], ignore_index=True)
    every["valid_to"] = every["valid_to"].astype(object).where(every["valid_to"].notna(), None)
    return every


def _content(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A row's whole content with its occurrence number, so identical rows pair one to one."""
    text = pd.Series("", index=frame.index, dtype=object)
    for column in columns:
        text = text + "\x1f" + frame[column].astype(str)
    return text + "\x1e" + text.groupby(text).cumcount().astype(str)


def downgrade() -> None:
    raise NotImplementedError("history kept as row versions cannot be turned back into copies")
