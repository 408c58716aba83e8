"""`python -m tests.corpus` prints the README (a table of every layout);
`python -m tests.corpus OUT_DIR` also writes every case's file into OUT_DIR with a truth.json."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from tests.corpus.layouts import cases

INTRO = """# Ledger corpus

Office ledgers (台账, 月报表) in the shapes real offices use, each with the truth worked out by
hand: the number of projects, the sums of the amount columns in 万元, the split by county and
sector, and every project name in file order. A reader of ledgers must import every one of them
unattended, with exact figures, and never count a total, subtotal, 其中 or section row as a
project. `layouts.py` generates them (deterministic, seeded); `real.py` states the truth of the
real templates in `../shared/realworld`. Regenerate this file with
`python -m tests.corpus > tests/corpus/README.md`; write the files to look at them with
`python -m tests.corpus OUT_DIR`.

| name | format | projects | period | shape |
| --- | --- | --- | --- | --- |"""


def readme() -> str:
    lines = [INTRO]
    for case in cases():
        fmt = case.filename.rsplit(".", 1)[1]
        if fmt == "csv":
            fmt += " (GBK)" if not case.content.startswith(b"\xef\xbb\xbf") and _gbk(case) else ""
            fmt += " (BOM)" if case.content.startswith(b"\xef\xbb\xbf") else ""
        shape = case.shape.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{case.name}` | {fmt} | {case.truth.projects} | {case.period} | {shape} |")
    return "\n".join(lines) + "\n"


def _gbk(case) -> bool:
    try:
        case.content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def write(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    truths = {}
    for case in cases():
        (out / case.filename).write_bytes(case.content)
        truths[case.filename] = {"name": case.name, "period": case.period,
                                 "shape": case.shape, **asdict(case.truth)}  # fmt: skip
    (out / "truth.json").write_text(json.dumps(truths, ensure_ascii=False, indent=1), "utf-8")


def main(argv: list[str]) -> None:
    sys.stdout.write(readme())
    if argv:
        write(Path(argv[0]))


if __name__ == "__main__":
    main(sys.argv[1:])
