"""`make bench` (and `make bench QUICK=1`): measure Careloop's key operations against the floor.

    .venv/bin/python -m benchmarks.run [--quick]

1. Population: PostgreSQL database `careloop_bench_<hash of the parameters>`, seeded with
   `careloop seed` (COPY) once and reused while a marker row says it is complete; the floor's
   table is filled from the same answers with COPY; a small SQLite population is generated too.
2. Careloop runs as in production (CARELOOP_ENV=production, granian with 2 workers, a separate
   worker process) beside the floor (Starlette + psycopg pool, uvicorn with 2 workers, uvloop
   and httptools). Sanity gates (benchmarks/harness/gates.py) run first: a trivial endpoint of
   each side under 5 ms at concurrency 1, and wrk reaching 5x the floor on a static response.
3. Rounds interleave floor and Careloop runs under wrk at concurrency 16; the load average is
   recorded before each run; medians over rounds are reported, with ratios to the floor.
4. The table is printed and the JSON written to benchmarks/results/.

Exit status: 0 when the harness ran (missed targets are reported, not failures), 2 when it
could not (PostgreSQL unreachable, wrk missing, a server failing, too many request errors, a
sanity gate failing).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import bulk_export, gates
from benchmarks.harness.config import (
    CARELOOP_PORT,
    CONCURRENCY,
    FLOOR_PORT,
    PYTHON,
    REGISTRY_CASELOAD,
    ROOT,
    WEB_WORKERS,
    Profile,
    add_profile_arguments,
    chosen_profile,
)
from benchmarks.harness.load import ensure_wrk
from benchmarks.harness.operations import (
    HTTP_OPERATIONS,
    alert_visible_latency,
    crisis_screening,
    registry_single_client,
    run_http,
    service_report,
    wait_until_idle,
    write_request_files,
)
from benchmarks.harness.population import (
    BenchError,
    check_postgres,
    prepare_postgres,
    seed_sqlite,
)
from benchmarks.harness.report import (
    Operation,
    git_info,
    machine_info,
    operation_entries,
    table,
    target_results,
    write_json,
)
from benchmarks.harness.servers import (
    careloop_running,
    careloop_stack,
    floor_running,
    floor_stack,
)

STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.splitlines()[0])
    add_profile_arguments(parser, quick_help="small population, short runs (CI)")
    parser.add_argument(
        "--only",
        type=lambda text: {name.strip() for name in text.split(",") if name.strip()},
        default=None,
        metavar="NAME[,NAME]",
        help=f"measure only these operations (one of: {', '.join(OPERATION_NAMES)}); "
        "a Careloop operation brings its floor counterpart along",
    )
    return parser.parse_args(argv)


def _fixtures(profile: Profile, env: dict[str, str], work: Path) -> Any:
    slug = (
        f"synthetic-s{profile.seed}-p{profile.patients}-w{profile.weeks}-{profile.end_date:%Y%m%d}"
    )
    out = work / "fixtures.json"
    command = [PYTHON, "-m", "benchmarks.harness.fixtures", slug, str(out)]
    command += [str(profile.submit_patients), str(REGISTRY_CASELOAD)]
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603  # our own interpreter and module
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"creating the benchmark logins failed:\n{done.stderr[-3000:]}")
    fixtures = json.loads(out.read_text(encoding="utf-8"))
    log(
        f"logins and sessions ready in {time.perf_counter() - started:.1f} s; "
        f"worker settled: {fixtures['settled']}"
    )
    return fixtures


OPERATION_NAMES = (
    *(name for name, *_ in HTTP_OPERATIONS),
    "registry_page_single",
    "service_report",
    "alert_visible",
    "bulk_export",
    "crisis_screening",
)


def _selected(only: set[str] | None) -> set[str]:
    """The operations to measure: all, or those named plus the floors they are compared with."""
    if only is None:
        return set(OPERATION_NAMES)
    unknown = only - set(OPERATION_NAMES)
    if unknown:
        raise BenchError(f"unknown operation(s) {sorted(unknown)}; known: {OPERATION_NAMES}")
    floors = {floor for name, _, _, floor in HTTP_OPERATIONS if name in only and floor}
    return only | floors


def _measure(
    profile: Profile, fixtures: Any, env: dict[str, str], work: Path, selected: set[str]
) -> list[Operation]:
    files = write_request_files(fixtures, work)
    http_operations = [op for op in HTTP_OPERATIONS if op[0] in selected]
    operations = {name: Operation(name, label, floor) for name, label, _, floor in http_operations}
    single = Operation("registry_page_single", "(c) registry page, one client", "floor_read")
    report = Operation("service_report", "(e) NHS TT report, whole population")
    report.unit = "reports/s"
    for round_number in range(1, profile.rounds + 1):
        log(f"round {round_number} of {profile.rounds}")
        for name, _, base_url, _ in http_operations:
            measurement = run_http(name, base_url, files, profile)
            operations[name].runs.append(measurement)
            waited = wait_until_idle(FLOOR_PORT if name.startswith("floor_") else CARELOOP_PORT)
            if waited > 1:
                measurement.extra["drain_s"] = round(waited, 1)
            log(
                f"  {name:<18} {measurement.rps:9.1f} req/s  p50 {measurement.p50_ms:7.1f} ms  "
                f"p99 {measurement.p99_ms:7.1f} ms  (load {measurement.load_avg_1m:.2f})"
            )
        if "registry_page_single" in selected:
            single.runs.append(registry_single_client(fixtures, 30, profile.seconds / 2))
            log(f"  registry (1 client) p50 {single.runs[-1].p50_ms:.1f} ms")
        if "service_report" in selected:
            report.runs.append(service_report(fixtures, profile.report_samples))
            log(f"  NHS TT report p50 {report.runs[-1].p50_ms:.0f} ms")
    measured = [*operations.values(), single, report]
    if "alert_visible" in selected:
        alert = Operation("alert_visible", "(d) alert raised -> in clinician's inbox")
        alert.unit = "alerts/s"
        alert.note = "sequential samples; latency from the submission's response to visible"
        alert.runs.append(alert_visible_latency(fixtures, profile.alert_samples))
        sample = alert.runs[-1]
        log(f"  alert -> inbox p50 {sample.p50_ms:.1f} ms p99 {sample.p99_ms:.1f} ms")
        measured.append(alert)
    if "bulk_export" in selected:
        measured.append(bulk_export.measure(fixtures, env, profile, log))
    if "crisis_screening" in selected:
        screening = Operation("crisis_screening", "(g) crisis-text screening (CLI)")
        screening.unit = "texts/s"
        screening.note = (
            "careloop safety screen-text; model start-up excluded; latency is mean/line"
        )
        screening.runs.append(crisis_screening(profile.screen_lines, env))
        log(f"  crisis screening {screening.runs[-1].rps:.1f} texts/s")
        measured.append(screening)
    return [operation for operation in measured if operation.runs]


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the context managers that stop the servers


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    options = _arguments(argv)
    profile = chosen_profile(quick=options.quick, rounds=options.rounds, seconds=options.seconds)
    work = Path(tempfile.mkdtemp(prefix="careloop-bench-"))
    logs = work / "logs"
    logs.mkdir()
    try:
        selected = _selected(options.only)
        ensure_wrk()
        postgres_version = check_postgres()
        machine = machine_info(postgres_version)
        log(f"profile {profile.name}; PostgreSQL {postgres_version}; work dir {work}")
        population = prepare_postgres(profile, log)
        sqlite = seed_sqlite(profile, log)
        env = population.env
        fixtures = _fixtures(profile, env, work)
        with floor_running(population.url, logs), careloop_running(env, logs):
            servers = {"floor": floor_stack(), "careloop": careloop_stack()}
            log("sanity gates (before any timed run)")
            floors = [name for name, *_ in HTTP_OPERATIONS if name.startswith("floor_")]
            checked = gates.check_before_runs(
                write_request_files(fixtures, work),
                [name for name in floors if name in selected],
                work,
                logs,
                log,
            )
            operations = _measure(profile, fixtures, env, work, selected)
    except BenchError as error:
        print(f"\nmake bench could not finish: {error}\n(logs kept in {logs})", file=sys.stderr)
        return 2
    entries = operation_entries(operations)
    targets = target_results(entries)
    in_run = gates.headroom_in_run(
        checked, {e["name"]: e["rps"] for e in entries if e["name"].startswith("floor_")}
    )
    if in_run is not None:
        checked.append(in_run)
        if not in_run.passed:
            log(f"warning: measured in the timed runs, {in_run.cause}")
    document = {
        "profile": profile.name,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "duration_s": round(time.monotonic() - STARTED, 1),
        "machine": {**machine, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "git": git_info(),
        "method": {
            "concurrency": CONCURRENCY,
            "web_workers": WEB_WORKERS,
            "rounds": profile.rounds,
            "seconds_per_run": profile.seconds,
            "warmup_seconds": profile.warmup_seconds,
            "load_generator": "wrk (throughput), Python client (latency operations)",
            "pgoptions": os.environ.get("PGOPTIONS", ""),
            "only": sorted(options.only) if options.only else None,
        },
        "servers": servers,
        "gates": [gate.entry() for gate in checked],
        "population": {
            "postgresql": {
                "database": population.database,
                "reused": population.reused,
                "seed_seconds": round(population.seed_seconds, 1),
                "floor_copy_seconds": round(population.floor_seconds, 1),
                **population.counts,
                **profile.population_key(),
            },
            "sqlite": sqlite,
        },
        "operations": entries,
        "targets": targets,
    }
    path = write_json(options.results, profile.name, document)
    print()
    print(table(entries, targets))
    print(f"\nresults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
