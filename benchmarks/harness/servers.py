"""The processes under test: Careloop in its production configuration (granian with 2 workers,
PostgreSQL, a separate worker process) and the floor (uvicorn with 2 workers, uvloop and
httptools named explicitly), and what each side's server stack is (recorded in the results)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.harness.config import (
    CARELOOP,
    CARELOOP_PORT,
    FLOOR_PORT,
    PYTHON,
    ROOT,
    WEB_WORKERS,
)
from benchmarks.harness.population import BenchError


def _wait_healthy(port: int, process: subprocess.Popen[bytes], what: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise BenchError(f"{what} exited with {process.returncode} while starting:\n{tail}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            # The web server's own readiness (Careloop's plain /healthz also waits for a worker
            # heartbeat; the floor ignores the query string).
            connection.request("GET", "/healthz?check=web")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.3)
    raise BenchError(f"{what} did not answer /healthz on port {port} within 60 s (see {log})")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the process group this harness started (the server and its own children)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603  # our own interpreter and fixed arguments
            command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _port_free(port: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse()
    except OSError:
        return
    finally:
        connection.close()
    raise BenchError(f"port {port} is already in use; set BENCH_CARELOOP_PORT/BENCH_FLOOR_PORT")


@contextlib.contextmanager
def careloop_running(
    env: dict[str, str], logs: Path, port: int = CARELOOP_PORT, tag: str = ""
) -> Iterator[None]:
    """`careloop serve` on `port` and its own `careloop worker` (several may run side by side:
    `tag` keeps their log files apart)."""
    _port_free(port)
    web_log, worker_log = logs / f"careloop-web{tag}.log", logs / f"careloop-worker{tag}.log"
    serve = [CARELOOP, "serve", "--host=127.0.0.1", f"--port={port}"]
    web = _start([*serve, f"--workers={WEB_WORKERS}"], env, web_log)
    worker = _start([CARELOOP, "worker"], env, worker_log)
    try:
        _wait_healthy(port, web, "careloop serve", web_log)
        yield
    finally:
        _stop(web)
        _stop(worker)
    if worker.returncode not in (0, -signal.SIGTERM):
        tail = worker_log.read_text(errors="replace")[-2000:]
        raise BenchError(f"the careloop worker stopped with {worker.returncode}:\n{tail}")


@contextlib.contextmanager
def floor_running(database_url: str, logs: Path) -> Iterator[None]:
    _port_free(FLOOR_PORT)
    env = {**os.environ, "FLOOR_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    log = logs / "floor.log"
    process = _start(floor_command(), env, log)
    try:
        _wait_healthy(FLOOR_PORT, process, "the floor (uvicorn)", log)
        yield
    finally:
        _stop(process)


# Named, not "auto": uvicorn's auto falls back silently to asyncio and its pure-Python h11 stack
# when uvloop or httptools is missing, and h11 writes a response's headers and body in two sends
# without TCP_NODELAY, so each keep-alive request waits ~40 ms for the client's delayed ACK.
FLOOR_LOOP, FLOOR_HTTP = "uvloop", "httptools"


def floor_command() -> list[str]:
    command = [PYTHON, "-m", "uvicorn", "benchmarks.floor.app:app", "--host=127.0.0.1"]
    command += [f"--port={FLOOR_PORT}", f"--workers={WEB_WORKERS}", "--no-access-log"]
    command += [f"--loop={FLOOR_LOOP}", f"--http={FLOOR_HTTP}", "--log-level=warning"]
    return command


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def floor_stack() -> dict[str, Any]:
    """The floor's server, event loop and HTTP parser, with their installed versions."""
    return {
        "server": "uvicorn",
        "server_version": _version("uvicorn"),
        "event_loop": FLOOR_LOOP,
        "event_loop_version": _version(FLOOR_LOOP),
        "http_parser": FLOOR_HTTP,
        "http_parser_version": _version(FLOOR_HTTP),
        "framework": f"starlette {_version('starlette')}",
        "database_driver": f"psycopg {_version('psycopg')} (async pool)",
        "workers": WEB_WORKERS,
        "command": floor_command()[1:],
    }


def _command_lines() -> Iterator[list[str]]:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if raw:
                yield raw.rstrip(b"\0").decode(errors="replace").split("\0")


def _option(arguments: list[str], name: str) -> str | None:
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(name + "="):
            return argument.split("=", 1)[1]
    return None


def granian_arguments(port: int = CARELOOP_PORT) -> list[str] | None:
    """The command line of the granian master `careloop serve` started on `port` (read from
    /proc, so the results record what really ran), or None when none is found."""
    for arguments in _command_lines():
        if "granian" in arguments and _option(arguments, "--port") == str(port):
            return arguments
    return None


def careloop_stack(port: int = CARELOOP_PORT) -> dict[str, Any]:
    """Careloop's server as `careloop serve` started it: granian's version and options."""
    arguments = granian_arguments(port) or []
    workers, threads = _option(arguments, "--workers"), _option(arguments, "--blocking-threads")
    return {
        "server": "granian",
        "server_version": _version("granian"),
        "interface": _option(arguments, "--interface"),
        "workers": None if workers is None else int(workers),
        "blocking_threads_per_worker": None if threads is None else int(threads),
        "backpressure": _option(arguments, "--backpressure"),
        # Granian's HTTP stack is Rust (hyper on a tokio runtime); a WSGI app is called on its
        # blocking threads, so no Python event loop serves requests.
        "http": f"granian (Rust, hyper), --http {_option(arguments, '--http') or 'auto'}",
        "event_loop": "none for WSGI (granian's Rust runtime; app on blocking threads)",
        "command": arguments[1:] if arguments else None,
    }
