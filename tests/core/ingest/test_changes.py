"""What an import changes, before anything is written (core.ingest.changes): which projects did
not report for the month, and an upload older than the data already stored."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from core.base import schema as S
from core.ingest import changes


def _projects(*rows):
    return pd.DataFrame(
        [{S.CODE: c, S.NAME: f"项目{c}", S.COUNTY: "甲区", S.WITHDRAWN: w, S.STAGE: stage,
          S.ACTUAL_END: end} for c, w, stage, end in rows]
    )  # fmt: skip


def _monthly(*rows):
    return pd.DataFrame(
        [{S.CODE: c, S.MONTH: m, S.COVERS_FROM: "", S.MONTH_COMPLETED: "1"} for c, m in rows]
    )


CURRENT = {
    S.PROJECTS: _projects(
        ("A", "", "在建", ""),
        ("B", "", "在建", ""),  # first reported 2010-03
        ("C", "2010-01", "在建", ""),  # withdrawn from 2010-01
        ("D", "", S.STAGE_COMPLETED, "2009-06"),  # completed before
        ("E", "", "在建", ""),  # never reported
    ),
    S.MONTHLY: _monthly(("A", "2009-11"), ("A", "2010-03"), ("B", "2010-03"), ("C", "2009-11")),
}


@pytest.mark.parametrize(
    "month,reported,missing,older",
    [
        ("2010-04", ["A"], ["B", "E"], False),  # C withdrawn, D completed
        ("2010-03", ["A", "B"], ["E"], False),
        ("2009-12", ["A"], ["C", "E"], True),  # B not reporting yet; C not yet withdrawn
    ],
)
def test_who_did_not_report_and_an_older_upload(month, reported, missing, older):
    report = SimpleNamespace(uploads={S.MONTHLY: _monthly(*[(c, month) for c in reported])})
    found = changes.of(report, CURRENT)
    assert sorted(found.missing[S.CODE]) == missing
    assert ("早于已导入的最新报告期2010-03" in found.summary()) is older
