"""The operations measured, each as Careloop and (where one exists) its floor counterpart.

Throughput operations run under wrk at concurrency 16; latency operations use the Python
client because each sample needs logic between requests (submit, then poll until visible).
"""

from __future__ import annotations

import json
import random
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness.config import CARELOOP, CARELOOP_PORT, FLOOR_PORT, ROOT, Profile
from benchmarks.harness.load import (
    Client,
    Measurement,
    RequestSpec,
    load_average,
    summarise,
    timed,
    write_requests,
    wrk,
)
from benchmarks.harness.population import BenchError

CARELOOP_URL = f"http://127.0.0.1:{CARELOOP_PORT}"
FLOOR_URL = f"http://127.0.0.1:{FLOOR_PORT}"

# PHQ-9 answer sets with item 9 = 0: every submission runs the alert rules, none raises one.
QUIET_PHQ9 = ([1, 1, 2, 1, 0, 1, 1, 0, 0], [2, 2, 1, 1, 1, 0, 1, 1, 0], [0, 1, 0, 1, 1, 0, 0, 1, 0])
RISK_PHQ9 = [2, 2, 2, 1, 2, 1, 1, 1, 2]  # item 9 answered: raises an alert for the care team


@dataclass(frozen=True)
class HttpOperation:
    """An operation measured with wrk: its name, and the request file per side."""

    name: str
    label: str
    careloop: Path
    floor_counterpart: str | None  # name of the floor operation its ratio is taken against


def _body(**fields: Any) -> str:
    return json.dumps(fields, separators=(",", ":"))


def write_request_files(fixtures: dict[str, Any], directory: Path) -> dict[str, Path]:
    """The wrk request files: Careloop's (with sessions) and the floor's (same patients)."""
    csrf = fixtures["csrf"]
    submitters = fixtures["submitters"]
    reads = fixtures["read_patient_ids"]
    reader = fixtures["reader"]
    files = {
        "floor_insert": [
            RequestSpec(
                "POST",
                "/events",
                body=_body(
                    patient_id=s["patient_id"], instrument="phq9", answers=a, client_id="{uuid}"
                ),
            )
            for s in submitters
            for a in QUIET_PHQ9
        ],
        "floor_read": [RequestSpec("GET", f"/events/{pid}") for pid in reads],
        "submit_phq9": [
            RequestSpec(
                "POST",
                "/api/assessments",
                s["cookie"],
                csrf,
                _body(instrument="phq9", answers=a, client_id="{uuid}"),
            )
            for s in submitters
            for a in QUIET_PHQ9
        ],
        "read_last50_api": [
            RequestSpec("GET", f"/api/patients/{pid}/assessments?limit=50", reader) for pid in reads
        ],
        "read_last50_fhir": [
            RequestSpec("GET", f"/fhir/r4/Observation?patient={pid}&_count=50&_sort=-date", reader)
            for pid in reads
        ],
        "registry_page": [RequestSpec("GET", "/caseload/", fixtures["registry_clinician"])],
    }
    return {name: write_requests(directory / f"{name}.txt", specs) for name, specs in files.items()}


HTTP_OPERATIONS = (
    ("floor_insert", "floor: POST one jsonb row", FLOOR_URL, None),
    ("submit_phq9", "(a) submit + score PHQ-9 (rules, audit)", CARELOOP_URL, "floor_insert"),
    ("floor_read", "floor: GET patient's last 50 rows", FLOOR_URL, None),
    ("read_last50_api", "(b) last 50 scored, JSON API", CARELOOP_URL, "floor_read"),
    ("read_last50_fhir", "(b) last 50, FHIR Observation", CARELOOP_URL, "floor_read"),
    ("registry_page", "(c) registry page, 200 patients", CARELOOP_URL, "floor_read"),
)


def run_http(name: str, base_url: str, files: dict[str, Path], profile: Profile) -> Measurement:
    return wrk(base_url, files[name], profile.seconds, profile.warmup_seconds)


def registry_single_client(
    fixtures: dict[str, Any], samples: int, budget_seconds: float
) -> Measurement:
    """The registry page one request at a time: its server time without queueing behind 15
    other requests on 2 cores (the target is about the page, not the queue). At most `samples`
    requests, and no new one after `budget_seconds` (at least 3)."""
    client = Client(CARELOOP_PORT, fixtures["registry_clinician"])
    load = load_average()
    latencies: list[float] = []

    def fetch() -> None:
        status, _ = client.request("GET", "/caseload/")
        if status != 200:
            raise BenchError(f"GET /caseload/ gave {status}")

    try:
        fetch()  # warm
        started = time.perf_counter()
        while len(latencies) < samples and (
            len(latencies) < 3 or time.perf_counter() - started < budget_seconds
        ):
            begin = time.perf_counter()
            fetch()
            latencies.append((time.perf_counter() - begin) * 1000)
        wall = time.perf_counter() - started
    finally:
        client.close()
    measurement = summarise(latencies, wall, len(latencies))
    measurement.load_avg_1m = load
    return measurement


def wait_until_idle(port: int, limit_seconds: float = 90) -> float:
    """After a run, wait until the server answers /healthz promptly again: requests wrk gave up
    on may still be queued there and would otherwise land on the next run. Seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_seconds:
        client = Client(port)
        begin = time.perf_counter()
        try:
            client.request("GET", "/healthz")
        except OSError:
            pass
        finally:
            client.close()
        if time.perf_counter() - begin < 0.2:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def alert_visible_latency(fixtures: dict[str, Any], samples: int) -> Measurement:
    """Submit a PHQ-9 with item 9 answered; time from the submission's response until the
    alert is in the care-team clinician's inbox (polled every 5 ms through the inbox API)."""
    csrf = fixtures["csrf"]
    inbox = Client(CARELOOP_PORT, fixtures["registry_clinician"])
    load = load_average()
    latencies: list[float] = []
    patients = list(fixtures["alerted"])
    started = time.perf_counter()
    try:
        for index in range(samples):
            patient = patients[index % len(patients)]
            head = inbox.json("GET", "/api/alerts/inbox?after_seq=0&limit=1")["last_seq"]
            submitter = Client(CARELOOP_PORT, patient["cookie"], csrf)
            body = {"instrument": "phq9", "answers": RISK_PHQ9, "client_id": str(uuid.uuid4())}
            submitter.json("POST", "/api/assessments", body, expect=201)
            answered = time.perf_counter()
            submitter.close()
            latencies.append(_until_visible(inbox, head, patient["patient_id"], answered))
    finally:
        inbox.close()
    measurement = summarise(latencies, time.perf_counter() - started, samples)
    measurement.load_avg_1m = load
    return measurement


def _until_visible(inbox: Client, head: int, patient_id: str, since: float) -> float:
    deadline = since + 30
    while time.perf_counter() < deadline:
        page = inbox.json("GET", f"/api/alerts/inbox?after_seq={head}&limit=100")
        for entry in page["entries"]:
            if entry["alert"] and entry["alert"]["patient_id"] == patient_id:
                return (time.perf_counter() - since) * 1000
        time.sleep(0.005)
    raise BenchError(f"an alert for patient {patient_id} was not in the inbox after 30 s")


def service_report(fixtures: dict[str, Any], samples: int) -> Measurement:
    """The NHS Talking Therapies report over the whole population, one request at a time."""
    client = Client(CARELOOP_PORT, fixtures["supervisor"])
    load = load_average()
    try:
        latencies, wall = timed(
            samples, lambda: client.json("GET", "/api/services/current/reports/nhs-tt") and None
        )
    finally:
        client.close()
    measurement = summarise(latencies, wall, samples)
    measurement.load_avg_1m = load
    return measurement


# Synthetic, non-identifying lines: everyday check-in notes with a few crisis phrasings mixed in.
_SCREEN_TEXTS = (
    "Slept badly again but went for a walk with my sister in the afternoon.",
    "Work was stressful today, I felt tense most of the day and skipped lunch.",
    "Feeling a bit better this week, the breathing exercise helps before meetings.",
    "I keep thinking everyone would be better off without me.",
    "Couldn't get out of bed until noon, no energy for anything.",
    "Had a good chat with a friend, felt lighter afterwards.",
    "I don't want to be here anymore and I have been thinking about how.",
    "Me siento muy cansada y no tengo ganas de hacer nada.",
)


def _screen(lines: int, env: dict[str, str]) -> float:
    rng = random.Random(lines)  # noqa: S311  # picks sample texts, not a secret
    payload = "".join(
        json.dumps({"id": n, "text": rng.choice(_SCREEN_TEXTS)}) + "\n" for n in range(lines)
    )
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603  # our own console script, fixed arguments
        [CARELOOP, "safety", "screen-text"],
        input=payload,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - started
    results = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(results) != lines:
        raise BenchError(f"screen-text failed ({done.returncode}): {done.stderr[-1500:]}")
    return seconds


def crisis_screening(lines: int, env: dict[str, str]) -> Measurement:
    """Lines screened per second by `careloop safety screen-text`, without its start-up (model
    load), which is measured with a one-line run and subtracted."""
    load = load_average()
    startup = _screen(1, env)
    total = _screen(lines, env)
    screening = max(total - startup, 1e-6)
    per_line_ms = screening / max(lines - 1, 1) * 1000
    return Measurement(
        rps=(lines - 1) / screening,
        p50_ms=per_line_ms,
        p99_ms=per_line_ms,
        requests=lines,
        errors=0,
        load_avg_1m=load,
        extra={"startup_s": round(startup, 2), "lines": lines, "latency": "mean per line"},
    )
