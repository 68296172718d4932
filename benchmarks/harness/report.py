"""The results: medians over rounds, ratios to the floor, targets, the table and the JSON file."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.harness.config import ROOT
from benchmarks.harness.load import Measurement


@dataclass
class Operation:
    name: str
    label: str
    floor: str | None = None  # the floor operation its ratio is against
    runs: list[Measurement] = field(default_factory=list)
    unit: str = "req/s"
    note: str = ""
    available: bool = True

    def median(self, attribute: str) -> float | None:
        values = [getattr(run, attribute) for run in self.runs]
        return statistics.median(values) if values else None


@dataclass(frozen=True)
class Target:
    operation: str
    metric: str  # "ratio_to_floor", "p99_ms", "p50_ms" or "rps"
    bound: float
    at_least: bool
    text: str

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.bound if self.at_least else value <= self.bound


TARGETS = (
    Target("submit_phq9", "ratio_to_floor", 0.5, True, "submit-and-score >= 50% of floor insert"),
    Target("read_last50_api", "ratio_to_floor", 0.6, True, "last-50 read >= 60% of floor read"),
    Target("alert_visible", "p99_ms", 1000, False, "alert -> visible p99 <= 1 s"),
    Target("registry_page_single", "p50_ms", 150, False, "registry page <= 150 ms server time"),
    Target("service_report", "p50_ms", 2000, False, "service report <= 2 s"),
    Target("bulk_export", "rps", 50_000, True, "bulk export >= 50k resources/s"),
)


def round_entry(run: Measurement) -> dict[str, Any]:
    """One measured run as the results JSON records it."""
    return {
        "rps": round(run.rps, 2),
        "p50_ms": round(run.p50_ms, 2),
        "p99_ms": round(run.p99_ms, 2),
        "requests": run.requests,
        "errors": run.errors,
        "load_avg_1m_before": round(run.load_avg_1m, 2),
        **run.extra,
    }


def ratio(operation: Operation, floors: dict[str, Operation]) -> float | None:
    """Median over rounds of (Careloop rps / floor rps in the same round)."""
    if operation.floor is None or operation.floor not in floors or not operation.runs:
        return None
    floor_runs = floors[operation.floor].runs
    pairs = list(zip(operation.runs, floor_runs, strict=False))
    if not pairs:
        return None
    return statistics.median(run.rps / floor.rps for run, floor in pairs if floor.rps > 0)


def _git(*args: str) -> str:
    done = subprocess.run(  # noqa: S603  # read-only git query, fixed arguments
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def machine_info(postgres_version: str) -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "postgresql": postgres_version,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def git_info() -> dict[str, Any]:
    return {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def operation_entries(operations: list[Operation]) -> list[dict[str, Any]]:
    floors = {op.name: op for op in operations if op.name.startswith("floor_")}
    entries = []
    for op in operations:
        rps, p50, p99 = op.median("rps"), op.median("p50_ms"), op.median("p99_ms")
        share = ratio(op, floors)
        entries.append(
            {
                "name": op.name,
                "label": op.label,
                "available": op.available,
                "unit": op.unit,
                "rps": None if rps is None else round(rps, 2),
                "p50_ms": None if p50 is None else round(p50, 2),
                "p99_ms": None if p99 is None else round(p99, 2),
                "ratio_to_floor": None if share is None else round(share, 3),
                "floor": op.floor,
                "rounds": [round_entry(run) for run in op.runs],
                "note": op.note,
            }
        )
    return entries


def target_results(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {entry["name"]: entry for entry in entries}
    results = []
    for target in TARGETS:
        entry = by_name.get(target.operation)
        value = None if entry is None else entry.get(target.metric)
        met = target.met(value)
        results.append(
            {
                "target": target.text,
                "operation": target.operation,
                "metric": target.metric,
                "value": value,
                "met": met,
            }
        )
    return results


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def table(entries: list[dict[str, Any]], targets: list[dict[str, Any]]) -> str:
    header = f"{'operation':<44} {'throughput':>16} {'p50 ms':>9} {'p99 ms':>9} {'vs floor':>9}"
    lines = [header, "-" * len(header)]
    for entry in entries:
        if not entry["available"]:
            lines.append(f"{entry['label']:<44} {'not available: ' + entry['note']}")
            continue
        throughput = f"{_fmt(entry['rps'])} {entry['unit']}"
        share = entry["ratio_to_floor"]
        # ">" marks a latency wrk could only bound (requests outlived its timeout).
        bound = ">" if any(r.get("latency_lower_bound") for r in entry["rounds"]) else ""
        p50, p99 = bound + _fmt(entry["p50_ms"]), bound + _fmt(entry["p99_ms"])
        lines.append(
            f"{entry['label']:<44} {throughput:>16} {p50:>9} "
            f"{p99:>9} {'-' if share is None else f'{share:.0%}':>9}"
        )
    lines.append("")
    lines.append("targets:")
    for result in targets:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[result["met"]]
        value = result["value"]
        shown = (
            "-"
            if value is None
            else (f"{value:.0%}" if "ratio" in result["metric"] else _fmt(value))
        )
        lines.append(f"  {verdict:<13} {result['target']} (measured: {shown})")
    return "\n".join(lines)


def write_json(directory: Path, profile: str, document: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{stamp}-{profile}.json"
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path
