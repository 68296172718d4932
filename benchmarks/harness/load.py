"""Load generators on loopback: wrk (C, little CPU) for throughput, a small Python client for
end-to-end latencies that need logic between requests."""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.harness.config import BENCH_DIR, CONCURRENCY
from benchmarks.harness.population import BenchError

WRK_SCRIPT = BENCH_DIR / "wrk" / "requests.lua"
WRK_THREADS = 2
WRK_TIMEOUT_SECONDS = 10
MAX_ERROR_RATE = 0.01


@dataclass
class Measurement:
    """One measured run of one operation."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    load_avg_1m: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestSpec:
    method: str
    path: str
    cookie: str = ""
    csrf: str = ""
    body: str = ""

    def line(self) -> str:
        fields = (self.method, self.path, self.cookie, self.csrf, self.body)
        if any("\t" in part or "\n" in part for part in fields):
            raise ValueError("request fields cannot contain tabs or newlines")
        return "\t".join(fields)


def load_average() -> float:
    return os.getloadavg()[0]


def ensure_wrk() -> str:
    """wrk's path; installed from Debian's archive when missing and we are root, else a clear
    message saying how to install it."""
    found = shutil.which("wrk")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing Debian's wrk with apt-get (running as root)", flush=True)
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, check=False, capture_output=True).returncode != 0:  # noqa: S603
            subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)  # noqa: S607
            subprocess.run(install, check=False, capture_output=True)  # noqa: S603
        found = shutil.which("wrk")
    if found is None:
        raise BenchError(
            "make bench needs the wrk load generator: install it with `sudo apt-get install wrk` "
            "(Debian/Ubuntu) or your system's package manager, then run make bench again."
        )
    return found


def write_requests(path: Path, specs: list[RequestSpec]) -> Path:
    path.write_text("\n".join(spec.line() for spec in specs) + "\n", encoding="utf-8")
    return path


def _wrk_once(
    base_url: str,
    requests_file: Path,
    seconds: float,
    script: Path = WRK_SCRIPT,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    command = [
        ensure_wrk(),
        f"-t{WRK_THREADS}",
        f"-c{CONCURRENCY}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={WRK_TIMEOUT_SECONDS}s",
        f"--script={script}",
        base_url,
    ]
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file), **(env_extra or {})}
    done = subprocess.run(  # noqa: S603  # wrk from PATH, fixed arguments
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
            return result
    raise BenchError(f"wrk gave no result (exit {done.returncode}):\n{done.stdout}{done.stderr}")


def wrk(
    base_url: str,
    requests_file: Path,
    seconds: float,
    warmup: float,
    script: Path = WRK_SCRIPT,
    env_extra: dict[str, str] | None = None,
    max_error_rate: float = MAX_ERROR_RATE,
) -> Measurement:
    """Warm up, then one measured run at the fixed concurrency; too many errors is a failure.
    Another Lua `script` and variables for it (`env_extra`), and a larger error rate to record
    rather than refuse (its errors are in the Measurement), may be given (multiprocess.py)."""
    if warmup > 0:
        _wrk_once(base_url, requests_file, warmup, script, env_extra)
    load = load_average()
    result = _wrk_once(base_url, requests_file, seconds, script, env_extra)
    requests = int(result["requests"])
    counts = result["errors"]
    # Timeouts are slowness, which is what is being measured; the others mean a broken setup.
    failures = sum(int(counts[kind]) for kind in ("connect", "read", "write", "status"))
    if failures > max_error_rate * max(requests, 1):
        raise BenchError(
            f"{failures} of {requests} requests failed against {base_url} ({counts}); "
            "check the server logs"
        )
    duration_s = result["duration_us"] / 1e6
    extra: dict[str, Any] = {"timeouts": int(counts["timeout"])} if counts["timeout"] else {}
    latency = result["latency_us"]
    if requests == 0 or latency["p50"] == 0:
        # Nothing (timed) finished inside the run: wrk's timeout is a lower bound on latency.
        extra["latency_lower_bound"] = True
        bound = WRK_TIMEOUT_SECONDS * 1000.0
        rps = requests / duration_s
        return Measurement(rps, bound, bound, requests, int(counts["timeout"]), load, extra)
    return Measurement(
        rps=requests / duration_s,
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
        requests=requests,
        errors=failures + int(counts["timeout"]),
        load_avg_1m=load,
        extra=extra,
    )


class Client:
    """A keep-alive HTTP/1.1 client with a session cookie (the Python side of the load)."""

    def __init__(self, port: int, cookie: str = "", csrf: str = "") -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self._headers = {"Accept": "application/json", "Host": "127.0.0.1"}
        if cookie:
            self._headers["Cookie"] = cookie
        if csrf:
            self._headers["X-CSRFToken"] = csrf

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = dict(self._headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self._connection.request(method, path, body=payload, headers=headers)
        response = self._connection.getresponse()
        return response.status, response.read()

    def json(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        status, data = self.request(method, path, body)
        if status != expect:
            raise BenchError(f"{method} {path} gave {status}, expected {expect}: {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self._connection.close()


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (a p99 of 30 samples is simply the largest)."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]


def timed(samples: int, action: Callable[[], float | None]) -> tuple[list[float], float]:
    """Run `action` `samples` times in a row; its own latency figures (or the wall time of each
    call when it returns None) in ms, and the wall time in seconds."""
    latencies = []
    started = time.perf_counter()
    for _ in range(samples):
        begin = time.perf_counter()
        own = action()
        latencies.append(own if own is not None else (time.perf_counter() - begin) * 1000)
    return latencies, time.perf_counter() - started


def summarise(latencies_ms: list[float], wall_seconds: float, units: int) -> Measurement:
    return Measurement(
        rps=units / wall_seconds if wall_seconds > 0 else 0.0,
        p50_ms=statistics.median(latencies_ms),
        p99_ms=percentile(latencies_ms, 0.99),
        requests=len(latencies_ms),
        errors=0,
        load_avg_1m=load_average(),
    )
