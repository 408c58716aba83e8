"""Peak memory of a process, from Linux's /proc."""

from __future__ import annotations

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
