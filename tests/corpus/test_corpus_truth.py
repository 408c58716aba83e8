"""Self-checks of the corpus: every generated file opens, its truth is consistent with itself
and with the file (every project name is a cell, in file order), the corpus is large and varied
enough, the README is current; and the real files' hand-made truths name cells that exist."""

from __future__ import annotations

import io
import math
from collections import Counter

import pandas as pd
import pytest

from tests.corpus.__main__ import readme
from tests.corpus.layouts import Case, cases, layouts
from tests.corpus.real import REALWORLD, RealCase, real_cases

CASES = cases()
REAL = real_cases()


def csv_encoding(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "gbk"
    return "utf-8"


def read(content: bytes, filename: str, sheet: str | None = None) -> dict[str, pd.DataFrame]:
    """Every sheet of the file as strings, the way a reader would open it."""
    if filename.endswith(".csv"):
        frame = pd.read_csv(io.BytesIO(content), header=None, dtype=str, keep_default_na=False,
                            encoding=csv_encoding(content))  # fmt: skip
        return {"csv": frame}
    return pd.read_excel(io.BytesIO(content), sheet_name=sheet if sheet else None, header=None,
                         dtype=str, engine="calamine")  # fmt: skip


def cells(frames) -> list[str]:
    """Every non-empty cell, row by row, stripped."""
    frames = frames.values() if isinstance(frames, dict) else [frames]
    out = []
    for frame in frames:
        for row in frame.itertuples(index=False):
            out += [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
    return out


def in_order(names: list[str], found: list[str]) -> list[str]:
    """The names not found as cells in this order (empty when all are)."""
    missing, at = [], 0
    for name in names:
        try:
            at = found.index(name, at) + 1
        except ValueError:
            missing.append(name)
    return missing


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=0.005)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_case_opens_and_its_truth_holds_together(case: Case):
    frames = read(case.content, case.filename)
    assert any(not f.empty for f in frames.values())
    t = case.truth
    assert len(t.names) == t.projects and len(set(t.names)) == t.projects
    assert not in_order(t.names, cells(frames))
    assert case.period[:4].isdigit() and 1 <= int(case.period[5:]) <= 12
    for split in (t.by_county, t.by_sector):
        if not split:
            continue
        assert sum(v["projects"] for v in split.values()) == t.projects
        for key, whole in (("annual_plan", t.annual_plan), ("year_to_date", t.year_to_date)):
            parts = [v[key] for v in split.values()]
            assert close(None if None in parts else sum(parts), whole), key
    if t.year_to_date is not None and t.month_amount is not None:
        assert t.month_amount <= t.year_to_date + 0.005


def test_the_corpus_is_large_and_varied():
    formats = Counter(c.filename.rsplit(".", 1)[1] for c in CASES)
    assert len(CASES) >= 30
    assert all(formats[f] >= 5 for f in ("xls", "xlsx", "csv")), formats
    assert len({c.name for c in CASES}) == len(CASES)
    assert len({c.filename for c in CASES}) == len(CASES)
    assert all(c.name.isascii() and c.shape for c in CASES)
    encodings = Counter(csv_encoding(c.content) for c in CASES if c.filename.endswith(".csv"))
    assert encodings["gbk"] and encodings["utf-8-sig"], encodings
    assert any(c.truth.annual_plan is None for c in CASES)  # lists without amounts
    assert len({c.period for c in CASES}) >= 3


def test_the_corpus_is_the_same_every_time():
    again = cases()
    assert [c.truth for c in again] == [c.truth for c in CASES]
    for a, b in zip(again, CASES, strict=True):
        if not b.filename.endswith(".xlsx"):  # .xlsx files carry their save time
            assert a.content == b.content, b.name


def test_the_readme_lists_every_layout():
    from pathlib import Path

    text = (Path(__file__).parent / "README.md").read_text("utf-8")
    assert text == readme(), "regenerate: python -m tests.corpus > tests/corpus/README.md"


def test_the_realworld_folder_resolves():
    assert REALWORLD.parts[-2:] == ("shared", "realworld")
    if not REALWORLD.is_dir():
        pytest.skip("../shared/realworld is absent (a user's clone has no shared folder)")
    assert REAL


@pytest.mark.parametrize("real", REAL, ids=[f"{r.path}:{r.sheet}" for r in REAL])
def test_a_real_files_truth_names_its_cells(real: RealCase):
    frames = read(real.file.read_bytes(), real.path, real.sheet)
    t = real.truth
    if real.kind != "form":
        assert len(t.names) == t.projects
    assert not in_order(t.names, cells(frames))
    for split in (t.by_county, t.by_sector):
        assert sum(v["projects"] for v in split.values()) in (0, t.projects)


TO_WAN = {"万元": 1.0, "亿元": 10000.0, "元": 0.0001}


def number(text: str) -> float:
    text = text.strip().replace(",", "")
    return 0.0 if text in ("", "-", "/") else float(text)


@pytest.mark.parametrize("lay", layouts(), ids=lambda lay: lay.name)
def test_the_truth_is_the_sum_of_the_values_written(lay):
    """Read back, from the file, the amount cells of the rows whose name cell is a project's name
    and sum them in 万元: they equal the truth (which the generator computed before writing)."""
    case = next(c for c in CASES if c.name == lay.name)
    frames = read(case.content, case.filename)
    frame = frames.get(lay.sheet, frames.get("csv"))
    keys = [c.key for c in lay.cols]
    name_col = keys.index("name")
    rows = {str(r[name_col]).strip(): r for r in frame.itertuples(index=False)}
    t = case.truth
    wanted = {"total": t.total_investment, "plan": t.annual_plan, "ytd": t.year_to_date,
              "month": t.month_amount}  # fmt: skip
    months = {"ytd": [f"m{k}" for k in range(1, lay.month + 1)], "month": [f"m{lay.month}"]}
    for key, expected in wanted.items():
        columns = [key] if key in keys else months.get(key, [])
        if not columns or not set(columns) <= set(keys):
            assert expected is None, key
            continue
        js = [keys.index(c) for c in columns]
        got = sum(number(rows[name][j]) for name in t.names for j in js) * TO_WAN[lay.unit]
        assert math.isclose(got, expected, abs_tol=0.01), (key, got, expected)
