"""Totals found by arithmetic: a row whose amounts are the sum of the rows it heads or closes.

A ledger's 合计 row is a check, never a project. Words find most totals (core.ingest.vocabulary:
TOTAL_LABEL, in any of a row's leading cells); this finds the rest, whatever their label: a row
whose every filled amount equals, to the file's rounding, the sum of a block of two or more rows
directly above or below it, where the block starts or ends at the edge of the table, a section
heading, or another total. Totals of totals (subtotals under a grand total) are found by
repeating the search with the totals found so far left out of the sums.

A row is taken for a total only on firm evidence: two or more amount columns that all match, or
one that matches in a row that has no serial number where the rows around it have one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ROUNDING = 0.011  # per summed row, in the file's unit: amounts written to two decimals
MIN_BLOCK = 2  # a "sum" of one row is that row again


def sum_rows(
    amounts: np.ndarray,
    boundaries: Sequence[int],
    unnumbered: Sequence[bool] | None = None,
) -> dict[int, tuple[int, int]]:
    """Rows that are sums: row index → (first, stop) of the rows it sums (stop exclusive).

    `amounts` is rows × amount columns, NaN where a cell is empty; `boundaries` are the row
    indices where a block may begin or end (0 and the number of rows are added);
    `unnumbered[i]` says that row i has no serial number where its neighbours have one."""
    n = len(amounts)
    if n < MIN_BLOCK + 1 or amounts.size == 0:
        return {}
    filled = ~np.isnan(amounts)
    values = np.where(filled, amounts, 0.0)
    unnumbered = list(unnumbered) if unnumbered is not None else [False] * n
    found: dict[int, tuple[int, int]] = {}
    edges = set(boundaries) | {0, n}
    candidates = filled.any(axis=1) & np.any(values != 0, axis=1)
    columns = filled.sum(axis=1)
    evidence = (columns >= 2) | np.asarray(unnumbered, dtype=bool)
    candidates &= evidence
    while True:
        counted = np.ones(n, dtype=bool)
        counted[list(found)] = False
        prefix = np.vstack([np.zeros(values.shape[1]), np.cumsum(values * counted[:, None], 0)])
        rows = np.concatenate([[0], np.cumsum(counted)])
        marks = sorted(edges | set(found) | {i + 1 for i in found})
        best_size = np.full(n, n + 1)
        best = np.zeros((n, 2), dtype=int)
        index = np.arange(n)
        todo = candidates & counted
        for mark in marks:
            # The block from the mark down to the row above (a total at a block's foot) ...
            _consider(index, mark, index, todo & (index >= mark + MIN_BLOCK), prefix, rows,
                      values, filled, best_size, best)  # fmt: skip
            # ... and from the row below up to the mark (a total at its head).
            _consider(index, index + 1, mark, todo & (index + 1 + MIN_BLOCK <= mark), prefix,
                      rows, values, filled, best_size, best)  # fmt: skip
        hits = np.flatnonzero(best_size <= n)
        if not len(hits):
            return found
        # Sums of fewer rows first: a subtotal is found before the grand total that contains it.
        size = best_size[hits].min()
        for i in hits[best_size[hits] == size]:
            found[int(i)] = (int(best[i, 0]), int(best[i, 1]))
        candidates[hits[best_size[hits] == size]] = False


def _consider(index, first, stop, todo, prefix, rows, values, filled, best_size, best) -> None:
    """Record, for each row in `todo`, the block first..stop when it sums to the row and is the
    smallest such block so far."""
    first = np.broadcast_to(first, index.shape)
    stop = np.broadcast_to(stop, index.shape)
    rows_in = np.where(
        todo, rows[np.clip(stop, 0, len(rows) - 1)] - rows[np.clip(first, 0, len(rows) - 1)], 0
    )
    todo = todo & (rows_in >= MIN_BLOCK)
    if not todo.any():
        return
    i = np.flatnonzero(todo)
    summed = prefix[stop[i]] - prefix[first[i]]
    tolerance = ROUNDING * rows_in[i, None] + 1e-9 * np.abs(summed)
    close = (np.abs(summed - values[i]) <= tolerance) | ~filled[i]
    match = i[close.all(axis=1)]
    size = (stop - first)[match]
    better = size < best_size[match]
    best_size[match[better]] = size[better]
    best[match[better], 0] = first[match[better]]
    best[match[better], 1] = stop[match[better]]
