"""Uploaded files are parsed in a separate process, never in the server's own.

A parser (calamine is native code) asked to read a crafted file may try to allocate hundreds of
gigabytes and abort, loop for minutes, or return more than any sheet holds. Whatever it does
happens here in a child process (`python -c` running `_child`): its address space, CPU time,
wall time and the size of its answer are limited, and a limit reached, a crash or an error
comes back as a `Failure` whose `message(file)` says in Chinese what happened to which file.
The caller turns it into its own kind of problem (sheets.SourceProblem). The child's answer is
data, never a pickle: tables as Arrow IPC streams, everything else as JSON that the server turns
into the dataclasses of a parsed file only (core.ingest.answer). A child whose parser a crafted
file subverted can hand back wrong data, not code to run; an answer naming anything else is a
crash. The request (the function's name and its arguments, an uploaded file's bytes among
them) is written the same way: nothing either side reads is unpickled.

This is a boundary for resources (memory, time, crashes), not for privileges: the child runs as
the same user. It writes no files (RLIMIT_FSIZE 0) and leaves no core dump (RLIMIT_CORE 0).

Starting a worker costs more than most files take to read: the worker that reads a CSV imports
pandas and pyarrow (0.5–1 s). So the server keeps spares: workers started ahead, their limits
set, their reader's modules imported, each blocked reading its request. A file is handed to a
spare (the wall time counts from then; the CPU time from the spare's start, the imports' half
second included), and the next spares start in the background once the server has handed over
or read no file for SPARE_QUIET seconds. A spare reads one request and ends, like any worker; it
is started with the arguments and environment a fresh worker would have (a spare started
otherwise, or dead, is discarded and a fresh worker started as before); it ends when the server
does (its stdin closes at the server's exit, and the server kills it at exit too). The first
files after the server starts, or a file of another reader, wait for a fresh worker; `warm`
starts spares before any file (a page that takes uploads can call it when it opens).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.ingest import answer

LOG = logging.getLogger(__name__)

MEMORY_BYTES = 2 << 30  # address space of one worker (RLIMIT_AS)
CPU_SECONDS = 120  # CPU time of one worker (RLIMIT_CPU)
WALL_SECONDS = 180  # from start to answer, waiting for the disk or a busy machine included
OUTPUT_BYTES = 768 << 20  # the encoded answer: more is no sheet this app accepts
WORKERS = 2  # files parsed at once by one server process (each up to MEMORY_BYTES)
# Workers started ahead and idle, for the reader that ran last (the CSV reader's about 110 MB
# each): as many as files are parsed at once, for a return's 项目清单 and 月度进度 come together.
SPARES = WORKERS
# Seconds with no file handed over or answered before a spare starts: its imports (a CPU-second)
# would otherwise compete with the server checking the file just read and importing it (a
# one-project return's check took 1.2–2.9 s with its spares starting at once, 0.7–1.2 s with
# them starting after; its snapshot, a second after the check, was slower with 2 s here).
SPARE_QUIET = 5.0

_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the package `core`
_CHILD_CODE = "from core.ingest.sandbox import _child; _child()"
_INSIDE_ENV = "BRIEFING_SANDBOX_CHILD"
_slots = threading.BoundedSemaphore(WORKERS)
# What a spare imports besides its target's module: the modules its target imports when called.
_PRELOAD = {"core.ingest.sheets": ("python_calamine",),
            "core.ingest.reading": ("pyarrow.pandas_compat",)}  # fmt: skip


@dataclass(frozen=True)
class Failure:
    """Why a worker gave no answer: "memory", "time", "output", "crash" or "error"."""

    kind: str
    detail: str = ""  # for the server's log, never shown

    def message(self, file: str) -> str:
        where = f"文件“{file}”"
        if self.kind == "memory":
            return (f"{where}读取时所需内存超过{_size(MEMORY_BYTES)}的上限,已停止读取(可能是异常或"
                    "被篡改的文件);请在Excel或WPS中打开后另存为Excel工作簿(.xlsx),或拆分后再上传")  # fmt: skip
        if self.kind == "time":
            return (f"{where}读取超过{WALL_SECONDS}秒(或CPU时间{CPU_SECONDS}秒)仍未完成,已停止读取;"
                    "请删除多余的行列、拆分文件,或在Excel或WPS中另存为Excel工作簿(.xlsx)后再上传")  # fmt: skip
        if self.kind == "output":
            return (f"{where}读出的内容超过{_size(OUTPUT_BYTES)}的上限,已停止读取;"
                    "请删除多余的行列,或拆分后上传")  # fmt: skip
        return (f"{where}读取时出错(读取程序异常退出),文件可能已损坏或不是正常的报表;"
                "请在Excel或WPS中打开后另存为Excel工作簿(.xlsx)再上传")  # fmt: skip


def _size(n: int) -> str:
    return f"{n / (1 << 30):g}GB" if n >= 1 << 30 else f"{n / (1 << 20):g}MB"


def inside() -> bool:
    """True in a worker: a parse asked for there runs in place."""
    return os.environ.get(_INSIDE_ENV) == str(os.getpid())


def run(target: str, *args: Any) -> Any:
    """`target` ("package.module:function") called with `args` in a worker process, within the
    limits above: its return value, or a Failure. Arguments and the return value must be made
    of what core.ingest.answer encodes (else the worker answers with an "error")."""
    if inside():
        module, _, function = target.partition(":")
        return getattr(__import__(module, fromlist=[function]), function)(*args)
    request = answer.encode(answer.REQUEST, (target, args))
    spare = _command(target, preload=True)
    with _slots:
        proc = _take(spare)
        if proc is None:  # none ready, or not one for this reader and these limits
            argv, env = _command(target, preload=False)
            proc = _start(argv, env)
        _busy()
        _replenish(spare, quiet=True)
        try:
            return _run(proc, request)
        finally:
            _busy()


def has_spares() -> bool:
    """Whether spares are ready or being started (for whichever reader)."""
    with _lock:
        return bool(_spares) or (_filling is not None and _filling.is_alive())


def warm(target: str, wait: bool = False) -> None:
    """Have a spare ready for `target` ("package.module:function"): a page that takes uploads
    calls this when it opens, so the first file finds one too (`wait`: until it is started)."""
    if inside():
        return
    command = _command(target, preload=True)
    thread = _replenish(command, quiet=False)
    if wait:
        if thread is None and (busy := _filling) is not None:  # starting another's spare
            busy.join()
            thread = _replenish(command, quiet=False)
        if thread is not None:
            thread.join()


def _command(target: str, preload: bool) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment of a worker for `target`; a spare imports its modules."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["RUST_BACKTRACE"] = "0"
    # Arrow's default allocator (jemalloc) reserves address space far beyond what it uses, and
    # the worker's limit is on address space (RLIMIT_AS): a 57 MB CSV of 1,016,042 monthly
    # returns failed to read at 2 GB ("Wrapping … failed") with it, and reads with malloc.
    env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    env.pop(_INSIDE_ENV, None)
    limits = f"{MEMORY_BYTES} {CPU_SECONDS} {OUTPUT_BYTES}"
    module = target.partition(":")[0]
    modules = (module, *_PRELOAD.get(module, ())) if preload else ()
    return [sys.executable, "-c", _CHILD_CODE, limits, ",".join(modules)], env


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_ROOT,
        env=env,
        start_new_session=True,  # a signal to the server's terminal does not reach it
    )


# --- the spare -------------------------------------------------------------------------------

_lock = threading.Lock()
_spares: list[tuple[tuple[list[str], dict[str, str]], subprocess.Popen]] = []  # (command, worker)
_filling: threading.Thread | None = None
_wanted: tuple[list[str], dict[str, str]] | None = None  # the command of the spares to start
_closed = False
_at_exit = False
_last_busy = 0.0  # time.monotonic() when a file was last handed over or answered


def _busy() -> None:
    global _last_busy
    _last_busy = time.monotonic()


def _take(command: tuple[list[str], dict[str, str]]) -> subprocess.Popen | None:
    """A spare started by `command` and alive, no longer a spare; dead spares are discarded."""
    found, dead = None, []
    with _lock:
        for spare in list(_spares):
            if spare[1].poll() is not None:
                _spares.remove(spare)
                dead.append(spare[1])
            elif found is None and spare[0] == command:
                _spares.remove(spare)
                found = spare[1]
    for proc in dead:
        LOG.warning("a spare file worker had ended (%s): discarded", proc.returncode)
        _end(proc)
    return found


def _replenish(command: tuple[list[str], dict[str, str]], quiet: bool) -> threading.Thread | None:
    """Spares started by `command` (SPARES of them) in the background, others discarded (when
    `quiet`, once no file was handed over or answered for SPARE_QUIET seconds); the thread that
    starts them, or None when one is at it already or enough are there."""
    global _filling, _at_exit, _wanted
    with _lock:
        _wanted = command  # a thread at it already starts this reader's spares next
        if _closed or (_filling is not None and _filling.is_alive()):
            return None
        if sum(spare[0] == command for spare in _spares) >= SPARES:
            return None
        if not _at_exit:
            atexit.register(stop_spares, final=True)
            _at_exit = True
        _filling = threading.Thread(target=_fill, args=(quiet,), daemon=True,
                                    name="file-worker-spare")  # fmt: skip
        _filling.start()
        return _filling


def _fill(quiet: bool) -> None:
    while True:
        with _lock:
            command = _wanted
            if _closed or command is None or sum(s[0] == command for s in _spares) >= SPARES:
                return
        wait = _last_busy + SPARE_QUIET - time.monotonic() if quiet else 0
        if wait > 0:
            time.sleep(min(wait, 0.5))
            continue
        try:
            proc = _start(*command)
        except OSError as exc:  # no spare, then: the next file starts its worker itself
            LOG.warning("a spare file worker did not start: %r", exc)
            return
        with _lock:
            others = [spare for spare in _spares if spare[0] != command] if not _closed else []
            for spare in others:
                _spares.remove(spare)
            if not _closed:
                _spares.append((command, proc))
        for old in [spare[1] for spare in others] + ([proc] if _closed else []):
            _end(old)


def stop_spares(final: bool = False) -> None:
    """End the spares (at the server's exit, `final`: and start none after)."""
    global _closed
    with _lock:
        _closed = _closed or final
        busy = _filling
    if busy is not None and busy is not threading.current_thread():
        busy.join(timeout=30)  # a spare it is starting is one to end too
    with _lock:
        ended = [spare[1] for spare in _spares]
        _spares.clear()
    for proc in ended:
        _end(proc)


def _end(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            stream.close()


def _forget() -> None:
    """In a process forked from the server: the spares are the server's, not its own; their
    pipes are closed here (a spare still ends when the server does) and never used."""
    global _lock, _filling, _wanted
    _lock = threading.Lock()
    _filling = _wanted = None
    for _, proc in _spares:
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()
    _spares.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


# --- one file --------------------------------------------------------------------------------


def _run(proc: subprocess.Popen, request: bytes) -> Any:
    """The answer of the worker `proc` (started, or a spare) to `request`; its wall time counts
    from now, when the request is handed over."""
    started = time.monotonic()
    reply = bytearray()
    errors = bytearray()
    too_long = threading.Event()

    def feed() -> None:
        with contextlib.suppress(OSError):  # the worker ended before reading it all
            proc.stdin.write(request)
        with contextlib.suppress(OSError):
            proc.stdin.close()

    def collect() -> None:
        while chunk := proc.stdout.read(1 << 20):
            if len(reply) + len(chunk) > OUTPUT_BYTES + (1 << 16):
                too_long.set()
                proc.kill()
                return
            reply.extend(chunk)

    def note() -> None:
        while chunk := proc.stderr.read(1 << 16):
            errors.extend(chunk)
            del errors[: max(0, len(errors) - (1 << 16))]  # the last 64 KB for the log

    threads = [threading.Thread(target=f, daemon=True) for f in (feed, collect, note)]
    for t in threads:
        t.start()
    failure = None
    threads[1].join(timeout=WALL_SECONDS)  # the answer ends when the worker does
    try:
        code = proc.wait(timeout=max(1.0, started + WALL_SECONDS - time.monotonic()))
    except subprocess.TimeoutExpired:
        code = None
    if code is None or threads[1].is_alive():
        proc.kill()
        code = proc.wait()
        failure = Failure("time", f"wall time {WALL_SECONDS} s")
    for t in threads:
        t.join(timeout=10)
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            stream.close()
    elapsed = time.monotonic() - started
    log = errors.decode("utf-8", "replace")
    if failure is None and too_long.is_set():
        failure = Failure("output", f"more than {OUTPUT_BYTES} bytes")
    if failure is None and code != 0:
        failure = _failure_of(code, log)
    if failure is None:
        result = _read(reply)
        if not isinstance(result, Failure):
            return result
        failure = result
    LOG.warning("file worker failed after %.1f s: %s %s; stderr: %s", elapsed, failure.kind,
                failure.detail, log[-4000:])  # fmt: skip
    return failure


def _read(reply: bytes | bytearray) -> Any:
    """The value a worker answered with, or the Failure it reported; an answer that is not
    exactly what core.ingest.answer writes (cut short, or naming a class or field no parsed file
    has) is a crash, and nothing in it is called."""
    try:
        status, value = answer.decode(reply)
    except Exception as exc:
        return Failure("crash", f"unreadable answer ({len(reply)} bytes): {exc!r}")
    if status == "ok":
        return value
    if status == answer.REQUEST:  # a worker does not ask: not an answer
        return Failure("crash", "a request where an answer was due")
    return Failure(status, str(value))


def _failure_of(code: int, log: str) -> Failure:
    if code < 0:
        sig = -code
        if sig == signal.SIGXCPU:
            return Failure("time", f"signal {sig}: CPU time {CPU_SECONDS} s")
        if "memory allocation" in log or "MemoryError" in log or "out of memory" in log:
            return Failure("memory", f"signal {sig}")
        return Failure("crash", f"signal {sig}")
    if "MemoryError" in log:
        return Failure("memory", f"exit {code}")
    return Failure("crash", f"exit {code}")


# --- the worker ------------------------------------------------------------------------------


def _child() -> None:
    """The worker's main: limits first, then one request from stdin, one answer to stdout."""
    import resource

    memory, cpu, output = (int(x) for x in sys.argv[1].split())
    preload = [m for m in sys.argv[2].split(",") if m] if len(sys.argv) > 2 else []

    def limit(which: int, soft: int, hard: int) -> None:
        _, ceiling = resource.getrlimit(which)  # never above what this process was given
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        resource.setrlimit(which, (soft, hard))

    limit(resource.RLIMIT_AS, memory, memory)
    limit(resource.RLIMIT_CPU, cpu, cpu + 5)  # SIGXCPU at the first, SIGKILL at the second
    limit(resource.RLIMIT_CORE, 0, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write beyond the limit fails, no signal
    limit(resource.RLIMIT_FSIZE, 0, 0)
    os.environ[_INSIDE_ENV] = str(os.getpid())
    sys.dont_write_bytecode = True
    # The answer goes to a copy of stdout; whatever a library prints goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for module in preload:  # a spare: what its reader will need, before its request comes
        with contextlib.suppress(Exception):  # the request's own call meets it, and answers
            __import__(module)
    reserve = bytearray(1 << 20)  # freed to answer after a MemoryError
    try:
        request = sys.stdin.buffer.read()
        if not request:  # the server ended (or discarded this spare) before it had a file
            os._exit(0)
        status, (target, args) = answer.decode(request)
        del request
        if status != answer.REQUEST:
            raise ValueError(f"not a request: {status}")
        module, _, function = target.partition(":")
        value = getattr(__import__(module, fromlist=[function]), function)(*args)
        reply = answer.encode("ok", value)
        del value
        if len(reply) > output:
            reply = answer.encode("output", f"{len(reply)} bytes")
    except MemoryError:
        del reserve
        reply = answer.encode("memory", "MemoryError")
    except RecursionError:
        reply = answer.encode("error", "RecursionError")
    except Exception as exc:
        import traceback

        traceback.print_exc()
        reply = answer.encode("error", f"{type(exc).__name__}: {exc}")
    out.write(reply)
    out.flush()
    out.close()  # the answer is complete: the server reads it whole now
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)  # not the interpreter's teardown of pandas and pyarrow (a tenth of a second)
