"""Sanity gates, checked before any timed run: figures from a setup that fails one are not reported.

1. **Trivial endpoint at concurrency 1** (the floor's `/healthz`, Careloop's `/healthz?check=web`):
   200 sequential requests on one keep-alive connection with the harness's Python client must
   answer with a p50 under 5 ms (up to 3 attempts, 2 s apart, every one recorded: a burst of
   load on a shared machine passes on a later attempt, the stall never does). A server that
   writes a response in two sends without
   TCP_NODELAY waits for the client's delayed ACK on every request (about 40 ms on Linux
   loopback): it answers ~22 requests/s per connection whatever the work, and every latency and
   ratio measured against it is that stall.
2. **Load-generator headroom**: wrk, with the threads, connections and script of the timed runs,
   must reach at least 5x the floor's throughput against a static response (a responder that
   costs next to nothing, `benchmarks/floor/static.py`), the floor's throughput being a short
   probe of each floor operation of the run. Otherwise the floor's figures (and Careloop's
   ratios to them) measure wrk and the machine, not the floor.

The judgements are pure functions over measurements (unit-tested); the measuring is below them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness.config import PYTHON, ROOT
from benchmarks.harness.load import Client, RequestSpec, percentile, write_requests, wrk
from benchmarks.harness.operations import CARELOOP_URL, FLOOR_URL
from benchmarks.harness.population import BenchError

PROBE_SECONDS = 3.0  # each throughput probe (static response, floor operations), after
PROBE_WARMUP_SECONDS = 1.0  # a warm-up like the timed runs'
LATENCY_P50_MS = 5.0
LATENCY_SAMPLES = 200
LATENCY_WARMUP = 10
# A busy machine (other processes on the 2 cores) can push one attempt's p50 over the bound; the
# stall cannot pass any attempt. Every attempt is recorded in the results.
LATENCY_ATTEMPTS = 3
LATENCY_RETRY_PAUSE_SECONDS = 2.0
HEADROOM_FACTOR = 5.0
# Linux delays an ACK at least 40 ms (TCP_DELACK_MIN); a request stalled on it answers in
# 40-50 ms on an idle loopback, a little more on a busy machine.
DELAYED_ACK_MS = (38.0, 80.0)


@dataclass(frozen=True)
class Gate:
    """One gate's verdict with the figures it was judged on (as written to the results)."""

    name: str
    passed: bool
    figures: dict[str, Any]
    cause: str = ""  # why it failed, in words naming the likely cause; empty when passed

    def entry(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, **self.figures, "cause": self.cause}


def latency_gate(
    side: str,
    endpoint: str,
    latencies_ms: list[float],
    *,
    load_1m: float,
    cores: int,
    remedy: str = "",
) -> Gate:
    """The trivial endpoint's p50 at concurrency 1 must be under LATENCY_P50_MS."""
    if not latencies_ms:
        raise ValueError("no latency samples")
    p50 = statistics.median(latencies_ms)
    figures = {
        "side": side,
        "endpoint": endpoint,
        "samples": len(latencies_ms),
        "min_ms": round(min(latencies_ms), 2),
        "p50_ms": round(p50, 2),
        "p90_ms": round(percentile(latencies_ms, 0.9), 2),
        "p99_ms": round(percentile(latencies_ms, 0.99), 2),
        "threshold_p50_ms": LATENCY_P50_MS,
        "load_avg_1m": round(load_1m, 2),
    }
    passed = p50 < LATENCY_P50_MS
    cause = "" if passed else _latency_cause(side, endpoint, p50, load_1m, cores, remedy)
    return Gate(f"{side}_trivial_latency", passed, figures, cause)


def _latency_cause(
    side: str, endpoint: str, p50: float, load_1m: float, cores: int, remedy: str
) -> str:
    who = {"floor": "the floor", "careloop": "Careloop"}.get(side, side)
    said = (
        f"{who}'s trivial endpoint {endpoint} answers in {p50:.0f} ms (p50) at concurrency 1, "
        f"not under {LATENCY_P50_MS:g} ms"
    )
    low, high = DELAYED_ACK_MS
    if low <= p50 <= high:
        return (
            f"{said}: the delayed-ACK stall (a response written in two sends without "
            f"TCP_NODELAY waits ~40 ms for the client's ACK){'; ' + remedy if remedy else ''}"
        )
    return (
        f"{said}, without the delayed-ACK signature (~40 ms): the server or the machine is too "
        f"slow to measure on (1-minute load average {load_1m:.1f} on {cores} cores)"
    )


def judged_attempts(attempts: list[Gate]) -> Gate:
    """The latency gate over its attempts: the last one's verdict and figures (attempts stop at
    the first pass), with every attempt's p50 and load recorded. A delayed-ACK stall fails every
    attempt (each request waits ~40 ms); a burst of load from other processes rarely lasts."""
    if not attempts:
        raise ValueError("no attempts")
    last = attempts[-1]
    history = [
        {"p50_ms": a.figures["p50_ms"], "load_avg_1m": a.figures["load_avg_1m"]} for a in attempts
    ]
    return Gate(last.name, last.passed, {**last.figures, "attempts": history}, last.cause)


def headroom_gate(static_rps: float, floor_rps: dict[str, float]) -> Gate:
    """wrk against a static response must reach HEADROOM_FACTOR x the fastest floor operation."""
    fastest = max(floor_rps, key=lambda name: floor_rps[name]) if floor_rps else None
    needed = HEADROOM_FACTOR * floor_rps[fastest] if fastest else 0.0
    headroom = static_rps / floor_rps[fastest] if fastest and floor_rps[fastest] > 0 else None
    figures = {
        "static_rps": round(static_rps, 1),
        "floor_rps": {name: round(rps, 1) for name, rps in floor_rps.items()},
        "headroom": None if headroom is None else round(headroom, 2),
        "threshold_headroom": HEADROOM_FACTOR,
    }
    passed = static_rps >= needed
    cause = ""
    if not passed and fastest:
        cause = (
            f"the load generator (wrk, as the timed runs use it) reaches {static_rps:,.0f} req/s "
            f"against a static response, only {headroom or 0:.1f}x the floor's {fastest} "
            f"({floor_rps[fastest]:,.0f} req/s; at least {HEADROOM_FACTOR:g}x needed): the floor's "
            "figures would measure wrk and this machine's spare CPU, not the floor"
        )
    return Gate("load_generator_headroom", passed, figures, cause)


def failures(gates: list[Gate]) -> list[Gate]:
    return [gate for gate in gates if not gate.passed]


# --- measuring -------------------------------------------------------------------------------


def trivial_latencies(port: int, path: str, samples: int = LATENCY_SAMPLES) -> list[float]:
    """`samples` sequential GETs on one keep-alive connection (after a short warm-up), in ms."""
    client = Client(port)
    try:
        for _ in range(LATENCY_WARMUP):
            _expect_ok(client, path)
        latencies = []
        for _ in range(samples):
            began = time.perf_counter()
            _expect_ok(client, path)
            latencies.append((time.perf_counter() - began) * 1000)
        return latencies
    finally:
        client.close()


def _expect_ok(client: Client, path: str) -> None:
    status, body = client.request("GET", path)
    if status != 200:
        raise BenchError(f"GET {path} gave {status} during the sanity gate: {body[:200]!r}")


@contextmanager
def static_responder(log: Path) -> Iterator[int]:
    """benchmarks/floor/static.py on a free loopback port (yielded) for as long as needed."""
    command = [PYTHON, "-m", "benchmarks.floor.static", "0"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("ab") as errors:
        process = subprocess.Popen(  # noqa: S603  # our own interpreter and module
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()  # "listening on PORT"
        if not line.startswith("listening on "):
            raise BenchError(f"the static responder did not start (see {log})")
        yield int(line.removeprefix("listening on "))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def static_throughput(work: Path, seconds: float, warmup: float, logs: Path) -> float:
    """wrk's rate (same threads, connections and script as the timed runs) on a static response."""
    requests = write_requests(work / "static.tsv", [RequestSpec("GET", "/static")])
    with static_responder(logs / "static.log") as port:
        return wrk(f"http://127.0.0.1:{port}", requests, seconds, warmup).rps


def check_before_runs(
    files: dict[str, Path],
    floor_operations: list[str],
    work: Path,
    logs: Path,
    log: Callable[[str], None],
) -> list[Gate]:
    """Measure and judge every gate with both servers up and idle; BenchError naming the cause
    of each failure, else the gates (for the results)."""
    cores = os.cpu_count() or 1
    gates = []
    trivial = (
        ("floor", FLOOR_URL, "/healthz", "run the floor with uvloop+httptools (servers.py)"),
        ("careloop", CARELOOP_URL, "/healthz?check=web", "see how `careloop serve` starts granian"),
    )
    for side, url, path, remedy in trivial:
        port = int(url.rsplit(":", 1)[1])
        attempts: list[Gate] = []
        while not (attempts and attempts[-1].passed) and len(attempts) < LATENCY_ATTEMPTS:
            if attempts:
                time.sleep(LATENCY_RETRY_PAUSE_SECONDS)
            load_1m = os.getloadavg()[0]
            latencies = trivial_latencies(port, path)
            attempts.append(
                latency_gate(side, path, latencies, load_1m=load_1m, cores=cores, remedy=remedy)
            )
            gate = attempts[-1]
            log(
                f"  gate {gate.name} (attempt {len(attempts)}): p50 {gate.figures['p50_ms']} ms "
                f"(< {LATENCY_P50_MS:g} ms; load {load_1m:.1f}) "
                + ("passed" if gate.passed else "FAILED")
            )
        gates.append(judged_attempts(attempts))
    if floor_operations:
        static = static_throughput(work, PROBE_SECONDS, PROBE_WARMUP_SECONDS, logs)
        probes = {
            name: wrk(FLOOR_URL, files[name], PROBE_SECONDS, PROBE_WARMUP_SECONDS).rps
            for name in floor_operations
        }
        gate = headroom_gate(static, probes)
        log(
            f"  gate {gate.name}: wrk on a static response {static:,.0f} req/s, floor "
            + ", ".join(f"{name} {rps:,.0f} req/s" for name, rps in probes.items())
            + f": {gate.figures['headroom']}x (>= {HEADROOM_FACTOR:g}x) "
            + ("passed" if gate.passed else "FAILED")
        )
        gates.append(gate)
    failed = failures(gates)
    if failed:
        causes = "\n".join(f"- {gate.cause}" for gate in failed)
        raise BenchError(f"the sanity gates failed, so nothing was measured:\n{causes}")
    return gates


def headroom_in_run(before: list[Gate], floor_rps: dict[str, float]) -> Gate | None:
    """The headroom gate judged again on the floor's medians from the timed runs (recorded, and
    warned about when it fails; the gate that stops the run is the one before the runs)."""
    static = next((g.figures["static_rps"] for g in before if g.name.endswith("headroom")), None)
    if static is None or not floor_rps:
        return None
    gate = headroom_gate(static, floor_rps)
    return Gate(f"{gate.name}_in_run", gate.passed, {**gate.figures, "enforced": False}, gate.cause)
