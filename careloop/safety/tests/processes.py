"""Processes the end-to-end safety tests start and kill: a private PostgreSQL cluster (run as the
postgres OS user; never the shared cluster), careloop web/worker children, an SMTP server in its
own process, and the helpers that drive them over HTTP on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from careloop.safety.tests.conftest import free_port

PG_BIN = Path(os.environ.get("CARELOOP_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parents[3]


def as_postgres(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  # fixed binaries, our own arguments
        ["runuser", "-u", "postgres", "--", *command],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class PrivatePostgres:
    """A throwaway cluster on a free loopback port, run as the postgres OS user."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/careloop_faults"

    def _options(self) -> str:
        return f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"

    def start(self) -> None:
        shutil.chown(self.root, "postgres")
        as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self._ctl("start")
        self.sql("CREATE DATABASE careloop_faults", database="postgres")

    def _ctl(self, action: str, *extra: str) -> None:
        log = str(self.root / "postgres.log")
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", self._options(), "-l", log,
            "-w", action, *extra,
        )  # fmt: skip

    def restart_immediately(self) -> None:
        self._ctl("restart", "-m", "immediate")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def sql(self, query: str, *, database: str = "careloop_faults") -> str:
        result = subprocess.run(  # noqa: S603
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-tAc", query],
            check=True, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        return result.stdout.strip()


class Child:
    """A careloop process we can SIGKILL and start again."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "careloop.core.cli", *self.args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self) -> None:
        """Run to completion (e.g. migrate)."""
        self.start()
        assert self.process is not None
        assert self.process.wait(timeout=300) == 0, self.log.read_text()[-2000:]

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def sign_in(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    # No keep-alive: granian's backpressure counts open connections, and 25 idle patient
    # sessions would otherwise hold every slot (clients of a real service come and go).
    session.headers["Connection"] = "close"
    session.get(f"{base}/accounts/login/", timeout=10)
    response = session.post(
        f"{base}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    response.raise_for_status()
    return session


DIAGNOSIS = (
    "SELECT 'alert', status, escalation_step::text, count(*) FROM safety_alert GROUP BY 2, 3 "
    "UNION ALL SELECT 'delivery', state, attempts::text, count(*) FROM safety_alertdelivery "
    "GROUP BY 2, 3 ORDER BY 1, 2, 3"
)


def wait_for(
    predicate: Callable[[], bool], timeout: float, what: str, pg: PrivatePostgres | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except subprocess.CalledProcessError:
            pass
        time.sleep(1)
    state = pg.sql(DIAGNOSIS) if pg is not None else ""
    raise AssertionError(f"timed out waiting for {what}:\n{state}")


def healthy(base: str) -> bool:
    try:
        # The web server alone: workers come and go under the fault plan (/healthz without
        # check=web also judges the alert worker's heartbeat).
        return requests.get(f"{base}/healthz?check=web", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    if os.geteuid() != 0 or not (PG_BIN / "initdb").exists() or not shutil.which("runuser"):
        pytest.skip("needs root, runuser and PostgreSQL 15 binaries to run a private cluster")
    # Not under pytest's tmp_path: that tree is private to root, and postgres must reach it.
    root = Path(tempfile.mkdtemp(prefix="careloop-faults-pg-"))
    pg = PrivatePostgres(root)
    try:
        pg.start()
        yield pg
    finally:
        if (pg.data / "postmaster.pid").exists():
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SinkProcess:
    """The SMTP server the workers deliver to, in its own process; it logs Idempotency-Keys."""

    port: int
    path: Path

    def keys(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").split() if self.path.exists() else []


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[SinkProcess]:
    smtp = SinkProcess(port=free_port(), path=tmp_path / "smtp-keys.txt")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "careloop.safety.tests.fault_harness", "sink", str(smtp.port),
         str(smtp.path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    yield smtp
    process.terminate()
    process.wait(timeout=20)
    process.stdout.close()


def harness(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "careloop.safety.tests.fault_harness", *args],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]
