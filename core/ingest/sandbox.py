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
"""

from __future__ import annotations

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

_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the package `core`
_CHILD_CODE = "from core.ingest.sandbox import _child; _child()"
_INSIDE_ENV = "BRIEFING_SANDBOX_CHILD"
_slots = threading.BoundedSemaphore(WORKERS)


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
    with _slots:
        return _run(request)


def _run(request: bytes) -> Any:
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
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD_CODE, limits],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=_ROOT,
        env=env,
        start_new_session=True,  # a signal to the server's terminal does not reach it
    )
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
    reserve = bytearray(1 << 20)  # freed to answer after a MemoryError
    try:
        status, (target, args) = answer.decode(sys.stdin.buffer.read())
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
