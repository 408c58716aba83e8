"""deploy/start-local.sh run from Python: nginx in front of replicas on one store, on 127.0.0.1.

Used by the session benchmark (`python -m bench --sessions 30`, two replicas behind nginx) and
by the deployment's browser test (tests/browser/test_deploy.py).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.pages import ROOT
from bench.proc import peak_mb
from core.base import settings

START = ROOT / "deploy" / "start-local.sh"
PORTS = range(9000, 9200)  # this project's ports on a shared machine
START_TIMEOUT = 240  # s: replicas and nginx on a busy 2-core machine
READY = "[deploy] ready:"


class DeploymentError(RuntimeError):
    pass


def free_ports(count: int) -> list[int]:
    """`count` ports of PORTS that nothing listens on."""
    found = []
    for port in PORTS:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise DeploymentError(f"fewer than {count} free ports in {PORTS.start}–{PORTS.stop - 1}")


def viewing_open_settings(folder: Path) -> Path:
    """A copy of the office's settings with viewing open to anyone who reaches the address
    (README "Security"). Behind nginx every request comes from elsewhere, which by default needs
    a sign-in to view: an intranet office that lets its staff look, or a meeting room of thirty
    laptops, opens viewing this way. Writing still needs a signed-in admin."""
    text = settings.path().read_text(encoding="utf-8")
    opened = re.sub(r'(?m)^viewing = ".*"$', f'viewing = "{settings.VIEW_OPEN}"', text)
    if opened == text:
        raise DeploymentError("the settings file has no viewing line")
    target = folder / "settings.toml"
    target.write_text(opened, encoding="utf-8")
    return target


class LocalDeployment:
    """`with LocalDeployment(database_url, run_dir, replicas=2) as d:` d.url is nginx (HTTPS),
    d.replica_urls the replicas' own addresses; leaving the block stops what the script
    started."""

    def __init__(self, database_url: str, run: Path, replicas: int = 2, env: dict | None = None):
        self.run = Path(run)
        self.database_url = database_url
        https, http, *ports = free_ports(2 + replicas)
        self.url = f"https://127.0.0.1:{https}"
        self.http_url = f"http://127.0.0.1:{http}"
        self.ports = ports
        self.replica_urls = [f"http://127.0.0.1:{p}" for p in ports]
        self.env = {
            **os.environ,
            **(env or {}),
            "BRIEFING_DATABASE_URL": database_url,
            "BRIEFING_DEPLOY_DIR": str(self.run),
            "BRIEFING_HTTPS_PORT": str(https),
            "BRIEFING_HTTP_PORT": str(http),
            "BRIEFING_REPLICA_PORTS": " ".join(map(str, ports)),
            "PYTHON": sys.executable,
        }
        self.env.pop("BRIEFING_DATA_DIR", None)  # a data folder would win over the store
        self.out = self.run / "start-local.out"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LocalDeployment:
        self.run.mkdir(parents=True, exist_ok=True)
        with self.out.open("wb") as log:
            self.proc = subprocess.Popen(
                ["bash", str(START)], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while READY not in self.output():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise DeploymentError(f"deploy/start-local.sh did not start:\n{self.output()}")
            time.sleep(0.5)
        return self

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # the script stops what it started
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def output(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    @property
    def stopped(self) -> bool:
        return "[deploy] stopped" in self.output()

    def replica_pids(self) -> list[int]:
        return [int((self.run / f"replica-{p}.pid").read_text()) for p in self.ports]

    def peak_mb(self) -> list[float | None]:
        """Each replica's peak memory so far (VmHWM), in MB."""
        return [peak_mb(pid) for pid in self.replica_pids()]

    @property
    def access_log(self) -> Path:
        return self.run / "nginx" / "logs" / "access.log"

    def replica_logs(self, lines: int = 30) -> str:
        return "\n".join(
            f"--- {p.name} ---\n" + "\n".join(p.read_text(errors="replace").splitlines()[-lines:])
            for p in sorted(self.run.glob("replica-*.log"))
        )
