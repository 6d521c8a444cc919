"""Real `case-swarm serve` / `worker` processes on one fresh PostgreSQL database, for the replica drill.

`Fleet` starts each process with its own port (127.0.0.1 only), writes its stderr to a file, asks its
`/readyz`, kills it with SIGKILL or stops it with SIGINT, always by its pid. `fresh_database` gives
the drill an empty database of its own: a new schema in the database named, first on the search path
(`options=-csearch_path=…` in the URL), dropped afterwards. A schema rather than CREATE DATABASE because
DROP DATABASE waits for a checkpoint, which took minutes on the shared, busy server. `pid_holding_port`
tells which of the fleet's processes owns a client connection (the Salesforce stand-in notes its port).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
STOP_WAIT = 8.0


@contextlib.contextmanager
def fresh_database(base_url: str, prefix: str = "drill") -> Iterator[str]:
    """An empty schema in `base_url`'s database, as the only one on the search path; dropped afterwards."""
    if base_url.startswith(("postgresql://", "postgres://")):
        base_url = "postgresql+psycopg://" + base_url.split("://", 1)[1]
    base = make_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        yield base.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@dataclass
class Replica:
    name: str
    command: str  # serve | worker
    port: int
    process: subprocess.Popen
    log_path: Path
    started: float

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return self.url + "/slack/events"

    def running(self) -> bool:
        return self.process.poll() is None

    def ready(self) -> dict | None:
        """The parsed `/readyz` answer (200 or 503), or None when nothing answers."""
        try:
            with urllib.request.urlopen(self.url + "/readyz", timeout=2) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            return json.loads(error.read() or b"{}")
        except (OSError, ValueError):
            return None

    def metrics(self) -> str:
        with urllib.request.urlopen(self.url + "/metrics", timeout=5) as response:
            return response.read().decode()


@dataclass
class Fleet:
    env: dict[str, str]
    log_dir: Path
    replicas: list[Replica] = field(default_factory=list)
    _count: int = 0

    def start(self, command: str, port: int, *extra: str) -> Replica:
        self._count += 1
        name = f"{command}-{self._count}"
        log_path = self.log_dir / f"{name}.log"
        env = {**os.environ, **self.env, "PORT": str(port)}
        with open(log_path, "wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "bot.cli", command, *extra], cwd=REPO, env=env,
                                       stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        replica = Replica(name, command, port, process, log_path, time.monotonic())
        self.replicas.append(replica)
        return replica

    def alive(self, command: str | None = None) -> list[Replica]:
        return [r for r in self.replicas if r.running() and (command is None or r.command == command)]

    def wait_ready(self, replicas: list[Replica], timeout: float) -> dict[str, float]:
        """Seconds from start to ready for each replica that got there within `timeout`."""
        ready: dict[str, float] = {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(ready) < sum(1 for r in replicas if r.running() or r.name in ready):
            for replica in replicas:
                if replica.name in ready or not replica.running():
                    continue
                answer = replica.ready()
                if answer and answer.get("ready"):
                    ready[replica.name] = time.monotonic() - replica.started
            time.sleep(0.2)
        return ready

    def leader(self) -> Replica | None:
        for replica in self.alive():
            answer = replica.ready() or {}
            if answer.get("scheduler") == "leader":
                return replica
        return None

    def kill(self, replica: Replica) -> float:
        """SIGKILL by pid, as a crash would; returns the moment (monotonic) it was sent."""
        moment = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.kill(replica.pid, signal.SIGKILL)
        replica.process.wait(timeout=STOP_WAIT)
        return moment

    def stop_all(self) -> None:
        """SIGINT (a clean stop hands the scheduler lease over), then SIGKILL whatever is left; by pid."""
        for replica in self.replicas:
            if replica.running():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(replica.pid, signal.SIGINT)
        deadline = time.monotonic() + STOP_WAIT
        for replica in self.replicas:
            try:
                replica.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(replica.pid, signal.SIGKILL)
                replica.process.wait(timeout=STOP_WAIT)

    def log_lines(self) -> list[str]:
        lines: list[str] = []
        for replica in self.replicas:
            with contextlib.suppress(OSError):
                lines.extend(replica.log_path.read_text(errors="replace").splitlines())
        return lines

    def tail(self, replica: Replica, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(replica.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def pid_holding_port(port: int, pids: list[int]) -> int | None:
    """Which of `pids` owns the local TCP port `port` (from /proc: the socket's inode, then each fd)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as rows:
            next(rows)
            for row in rows:
                parts = row.split()
                if int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    wanted = {f"socket:[{inode}]" for inode in inodes}
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") in wanted:
                        return pid
    return None
