"""The spare file worker (core.ingest.sandbox): started ahead with its reader's modules imported,
handed one file and never a second, discarded when dead or started otherwise (a fresh worker
reads the file then), bound by the same limits, and gone when the server is."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from core.ingest import sandbox

GETPID = "os:getpid"


@pytest.fixture(autouse=True)
def no_spares(monkeypatch):
    """One spare at a time, started as soon as a file is handed over (the default waits for
    the server to be quiet: test_the_next_spare_waits_for_a_quiet_moment)."""
    sandbox.stop_spares()
    monkeypatch.setattr(sandbox, "SPARES", 1)
    monkeypatch.setattr(sandbox, "SPARE_QUIET", 0)
    yield
    sandbox.stop_spares()


@pytest.fixture
def handed(monkeypatch):
    """The pids of the workers files were handed to, in order."""
    pids = []
    real = sandbox._run

    def record(proc, request):
        pids.append(proc.pid)
        return real(proc, request)

    monkeypatch.setattr(sandbox, "_run", record)
    return pids


def _spare_pids() -> list[int]:
    with sandbox._lock:
        return [proc.pid for _, proc in sandbox._spares]


def _ready(target: str = GETPID) -> int:
    """The pid of the one spare, started for `target`."""
    sandbox.warm(target, wait=True)
    (pid,) = _spare_pids()
    return pid


def _gone(pid: int, seconds: float = 20) -> bool:
    """Whether process `pid` ends (or is a zombie no one reaps) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rpartition(")")[2].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


def test_a_file_goes_to_the_spare_and_the_next_spare_starts_at_once(handed):
    first = _ready()
    assert sandbox.run(GETPID) == first  # the worker that answered is the spare
    assert handed == [first]
    sandbox._filling.join()
    (second,) = _spare_pids()  # started as the first was handed its file
    assert second != first
    assert sandbox.run(GETPID) == second
    assert handed == [first, second]


def test_the_next_spare_waits_for_a_quiet_moment(handed, monkeypatch):
    """Its imports would compete with the server checking the file just read."""
    monkeypatch.setattr(sandbox, "SPARE_QUIET", 1.5)
    first = _ready()
    assert sandbox.run(GETPID) == first
    answered = time.monotonic()
    time.sleep(0.8)
    assert _spare_pids() == []  # not yet
    sandbox._filling.join()
    assert len(_spare_pids()) == 1 and time.monotonic() - answered >= 1.5


def test_the_spares_that_start_are_for_the_reader_that_ran_last(monkeypatch):
    monkeypatch.setattr(sandbox, "SPARE_QUIET", 1)
    assert isinstance(sandbox.run(GETPID), int)  # its spare waits for a quiet moment …
    assert isinstance(sandbox.run("time:monotonic"), float)  # … and is another reader's now
    sandbox._filling.join()
    assert [command[0][-1] for command, _ in sandbox._spares] == ["time"]


def test_the_files_of_one_return_parsed_at_once_each_find_a_spare(handed, monkeypatch):
    """项目清单 and 月度进度 of a return are read at once (WORKERS): SPARES spares for them."""
    monkeypatch.setattr(sandbox, "SPARES", 2)
    sandbox.warm(GETPID, wait=True)
    spares = _spare_pids()
    assert len(spares) == 2
    pids = []
    threads = [threading.Thread(target=lambda: pids.append(sandbox.run(GETPID))) for _ in spares]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(pids) == sorted(handed) == sorted(spares)


def test_a_spare_reads_one_file_and_ends(handed):
    pids = [sandbox.run(GETPID) for _ in range(4)]
    assert len(set(pids)) == 4 and pids == handed
    assert all(_gone(pid, 5) for pid in pids)


@pytest.mark.parametrize(
    "how",
    ["killed", "ended by itself", "started with other limits", "no spare could start"],
)
def test_a_spare_not_fit_for_the_file_is_discarded_and_a_fresh_worker_reads_it(
    how, handed, monkeypatch
):
    if how == "no spare could start":
        refusing, real = [True], sandbox._start

        def start(argv, env):
            if refusing:
                raise OSError(11, "Resource temporarily unavailable")
            return real(argv, env)

        monkeypatch.setattr(sandbox, "_start", start)
        sandbox.warm(GETPID, wait=True)
        assert _spare_pids() == []
        refusing.clear()  # the fresh worker starts as before
        spare = None
    else:
        spare = _ready()
        (proc,) = [p for _, p in sandbox._spares]
        if how == "killed":
            os.kill(spare, signal.SIGKILL)
            proc.wait(10)
        elif how == "ended by itself":
            proc.stdin.close()  # a spare that reads no request ends
            proc.wait(10)
            assert proc.returncode == 0
        else:
            monkeypatch.setattr(sandbox, "MEMORY_BYTES", sandbox.MEMORY_BYTES // 2)
    pid = sandbox.run(GETPID)
    assert isinstance(pid, int) and pid != spare and handed == [pid]
    if how in ("killed", "ended by itself"):
        assert spare not in _spare_pids()  # discarded
    sandbox._filling.join()
    assert len(_spare_pids()) == 1 and spare not in _spare_pids()  # a spare fit for the next


@pytest.mark.parametrize(
    ("limit", "value", "call", "kind"),
    [
        ("CPU_SECONDS", 3, ("re:match", "(a+)+$", "a" * 64 + "b"), "time"),
        ("MEMORY_BYTES", 256 << 20, ("builtins:bytearray", 512 << 20), "memory"),
        ("OUTPUT_BYTES", 1 << 20, ("os:urandom", 2 << 20), "output"),
        ("WALL_SECONDS", 2, ("time:sleep", 60), "time"),
    ],
    ids=["cpu", "memory", "output", "wall-time"],
)
def test_a_spare_is_bound_by_the_same_limits(limit, value, call, kind, handed, monkeypatch):
    monkeypatch.setattr(sandbox, limit, value)
    target, *args = call
    spare = _ready(target)
    started = time.monotonic()
    failure = sandbox.run(target, *args)
    assert isinstance(failure, sandbox.Failure) and failure.kind == kind
    assert handed == [spare]
    assert time.monotonic() - started < 30


def test_the_wall_time_counts_from_the_handover_not_the_spares_start(monkeypatch, handed):
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 2)
    spare = _ready("time:sleep")
    time.sleep(3)  # idle longer than a worker may take
    assert sandbox.run("time:sleep", 0.5) is None
    assert handed == [spare]


def _mapped(pid: int, name: str, seconds: float = 30) -> bool:
    """Whether process `pid` maps a library whose path holds `name` within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/maps") as f:
            if name in f.read():
                return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize(
    ("target", "imports", "has", "has_not"),
    [
        ("core.ingest.reading:_read_file",
         "core.ingest.reading,pyarrow.pandas_compat", "pandas/_libs", None),
        ("core.ingest.sheets:read_workbook_here", "core.ingest.sheets,python_calamine",
         "python_calamine", "pandas/_libs"),
    ],
    ids=["csv-reader", "workbook-reader"],
)  # fmt: skip
def test_a_spare_imports_its_readers_modules_before_its_file_comes(target, imports, has, has_not):
    """The CSV reader's spare has pandas loaded while it waits; the workbook reader's has
    calamine and not pandas (its whole address space is left to calamine)."""
    pid = _ready(target)
    assert sandbox._spares[0][0][0][-1] == imports
    assert _mapped(pid, has)
    if has_not:
        time.sleep(1)
        assert not _mapped(pid, has_not, 0.1)


def test_a_worker_decodes_its_request_without_pandas_and_knows_it_is_inside():
    """Decoding a request (bytes, texts, a dict of limits) imports no parsed file's module;
    in a worker, spare or not, a parse asked for runs in place (its own pid marks it)."""
    code = (
        "[sorted(m for m in ('pandas', 'pyarrow', 'core.ingest.reading')"
        " if m in __import__('sys').modules), __import__('core.ingest.sandbox').ingest.sandbox"
        ".inside(), __import__('os').getpid()]"
    )
    fresh = sandbox.run("builtins:eval", code)
    sandbox._filling.join()
    spare = _spare_pids()
    assert fresh[:2] == [[], True]
    assert sandbox.run("builtins:eval", code) == [[], True, *spare]


def test_no_spare_at_import_nor_inside_a_worker(monkeypatch):
    code = (
        "import threading; from core.ingest import importing, reading, sandbox, sheets\n"
        "print(len(sandbox._spares), threading.active_count())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=sandbox._ROOT, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert out.stdout.split() == ["0", "1"], out.stderr
    monkeypatch.setenv(sandbox._INSIDE_ENV, str(os.getpid()))
    sandbox.warm(GETPID, wait=True)
    assert sandbox.run(GETPID) == os.getpid()  # in place
    assert _spare_pids() == [] and (sandbox._filling is None or not sandbox._filling.is_alive())


@pytest.mark.parametrize(
    "ending",
    ["os._exit(0)", "sys.exit(0)", "os.kill(os.getpid(), signal.SIGKILL)"],
    ids=["exit-without-cleanup", "normal-exit", "killed"],
)
def test_a_spare_does_not_outlive_its_server(ending):
    code = (
        "import os, signal, sys; from core.ingest import sandbox\n"
        "sandbox.warm('core.ingest.reading:_read_file', wait=True)\n"
        "print(sandbox._spares[0][1].pid, flush=True)\n" + ending
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=sandbox._ROOT, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    spare = int(out.stdout)
    assert _gone(spare), f"spare {spare} still running"


def test_files_handed_from_many_threads_each_get_a_worker_of_their_own(handed):
    pids, errors = [], []

    def parse():
        for _ in range(3):
            pid = sandbox.run(GETPID)
            (pids if isinstance(pid, int) else errors).append(pid)

    threads = [threading.Thread(target=parse) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and len(pids) == 12 and len(set(pids)) == 12
    assert sorted(pids) == sorted(handed)
    if sandbox._filling is not None:
        sandbox._filling.join()
    assert len(_spare_pids()) <= sandbox.SPARES


def test_a_forked_process_does_not_use_the_servers_spare():
    spare = _ready()
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked process
        os._exit(0 if sandbox._spares == [] and sandbox.run(GETPID) != spare else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert _spare_pids() == [spare]  # still the server's


def test_a_page_that_takes_uploads_has_a_workbook_worker_started():
    """数据管理 calls importing.expect_uploads when it shows its uploader: the first workbook
    an office uploads finds a worker with calamine loaded (the usual upload is a workbook)."""
    from core.ingest import importing

    importing.expect_uploads()
    deadline = time.monotonic() + 60
    while not _spare_pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    (pid,) = _spare_pids()
    assert sandbox._spares[0][0][0][-1] == "core.ingest.sheets,python_calamine"
    assert _mapped(pid, "python_calamine")


def test_the_upload_page_keeps_the_spares_of_the_reader_that_ran_last():
    """After a CSV return the page's next run (the check, the import) does not swap the CSV
    reader's spare for a workbook reader's."""
    from core.ingest import importing

    pid = _ready("core.ingest.reading:_read_file")
    importing.expect_uploads()
    time.sleep(0.5)
    assert _spare_pids() == [pid]
    assert sandbox._spares[0][0][0][-1].startswith("core.ingest.reading")
