"""Two imports at once, in two processes, through the real path (check, then commit), on SQLite
and on PostgreSQL: both check against the same data, then both commit at the same moment.

The release before lost one of the two every time (the merge was computed before the lock).
Now the store merges under its lock: uploads of different projects are both kept, 20 times in a
row; uploads of the same project keep the first and refuse the second with a message."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.base import schema as S
from core.ingest import importing
from core.store.versions import Store
from tests.access_kit import ADMIN

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "fixtures" / "mini"
ROUNDS = 20

# One county reporter: on "check" it checks a one-project 项目清单.csv, on "commit" it commits it.
_REPORTER = """
import sys
from core.policy.roles import cli_actor
from core.ingest import importing
from core.store.versions import Store, VersionMoved

url, name = sys.argv[1:3]
store = Store(url)
header, row = open("tests/fixtures/mini/项目清单.csv", encoding="utf-8").read().splitlines()[:2]
for line in sys.stdin:
    command, code = line.split()
    if command == "check":
        fields = row.split(",")
        fields[0], fields[1] = code, f"{name}上报的项目"
        content = (header + "\\n" + ",".join(fields) + "\\n").encode("utf-8")
        report = importing.check([("项目清单.csv", content)], store)
        assert report.importable, report.summary()
        print("checked", report.checked_against, flush=True)
    else:
        try:
            print("committed", importing.commit(report, store, name, actor=cli_actor()).id, flush=True)
        except VersionMoved as exc:
            print("refused", exc, flush=True)
"""


def seed(url: str) -> None:
    files = importing.read_paths(sorted(MINI.iterdir()))
    report = importing.check(files, Store(url))
    assert report.importable, report.summary()
    importing.commit(report, Store(url), "首次导入", actor=ADMIN)


class Reporter:
    def __init__(self, url: str, name: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _REPORTER, url, name],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        # Never let a stuck child hang the test run.
        self.watchdog = threading.Timer(240, self.proc.kill)
        self.watchdog.start()

    def send(self, command: str, code: str) -> None:
        self.proc.stdin.write(f"{command} {code}\n")
        self.proc.stdin.flush()

    def answer(self) -> tuple[str, str]:
        line = self.proc.stdout.readline()
        assert line, "the reporter process ended"
        word, _, rest = line.rstrip("\n").partition(" ")
        return word, rest

    def close(self) -> None:
        self.watchdog.cancel()
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()


@pytest.fixture
def reporters(url):
    seed(url)
    pair = [Reporter(url, "甲"), Reporter(url, "乙")]
    yield pair
    for reporter in pair:
        reporter.close()


def round_trip(reporters, codes) -> list[tuple[str, str]]:
    """Both check, then both commit at once; returns their answers to the commit."""
    for reporter, code in zip(reporters, codes, strict=True):
        reporter.send("check", code)
    seen = {reporter.answer() for reporter in reporters}
    assert len(seen) == 1  # both checked against the same version
    for reporter, code in zip(reporters, codes, strict=True):
        reporter.send("commit", code)
    return [reporter.answer() for reporter in reporters]


def test_two_imports_of_different_projects_both_kept(url, reporters):
    for r in range(ROUNDS):
        answers = round_trip(reporters, [f"甲-{r:02d}", f"乙-{r:02d}"])
        assert sorted(word for word, _ in answers) == ["committed", "committed"]
    store = Store(url)
    projects = store.current_tables()[0][S.PROJECTS].set_index(S.CODE)[S.NAME]
    for r in range(ROUNDS):
        assert projects[f"甲-{r:02d}"] == "甲上报的项目"
        assert projects[f"乙-{r:02d}"] == "乙上报的项目"
    history = store.history()
    assert len(history) == 1 + 2 * ROUNDS
    assert sorted(b.note for b in history[:-1]) == ["乙"] * ROUNDS + ["甲"] * ROUNDS
    assert history[0].row_counts[S.PROJECTS] == 5 + 2 * ROUNDS
    store.close()


def test_two_imports_of_the_same_project_keep_the_first_and_refuse_the_second(url, reporters):
    for r in range(3):
        answers = round_trip(reporters, [f"同-{r}", f"同-{r}"])
        words = sorted(word for word, _ in answers)
        assert words == ["committed", "refused"]
        refusal = next(text for word, text in answers if word == "refused")
        assert f"其间的导入也更新了本次上传的“同-{r}”等1项" in refusal
        first = next(
            name for (word, _), name in zip(answers, "甲乙", strict=True) if word == "committed"
        )
        projects = Store(url).current_tables()[0][S.PROJECTS].set_index(S.CODE)[S.NAME]
        assert projects[f"同-{r}"] == f"{first}上报的项目"
