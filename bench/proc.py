"""Peak memory and CPU time of a process, from Linux's /proc."""

from __future__ import annotations

import os
from pathlib import Path


def peak_mb(pid: int | str = "self") -> float | None:
    """VmHWM (the peak resident set size) of a running process, in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def cpu_s(pid: int | str = "self") -> float | None:
    """CPU time (user and system) a process has used so far, in seconds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, quiet_s: float = 2.0, timeout_s: float = 900.0) -> float:
    """Seconds until the process has used less than 5% of a core over `quiet_s`: its background
    work (every county's opening views, app_pages.opening) done, as on a server that has been
    running. Gives up after `timeout_s` (returns the time waited)."""
    import time

    started = time.perf_counter()
    last = cpu_s(pid)
    while time.perf_counter() - started < timeout_s:
        time.sleep(quiet_s)
        now = cpu_s(pid)
        if last is None or now is None or now - last < 0.05 * quiet_s:
            break
        last = now
    return time.perf_counter() - started
