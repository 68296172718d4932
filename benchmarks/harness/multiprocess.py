"""Beyond one machine (#16 item 5): two `careloop serve` processes and two `careloop worker`
processes on one PostgreSQL.

    .venv/bin/python -m benchmarks.multiprocess [--quick] [--results DIR]   (make bench-scale)

1. The population, the logins and the production environment are make bench's own
   (population.py, fixtures.py, environment.py); scale_fixtures.py adds a care team whose
   escalation policy runs a whole chain in about 40 s, with staff reachable by e-mail and SMS.
2. Server A (BENCH_CARELOOP_PORT) and server B (BENCH_SCALE_PORT_B, default A + 2) are each
   started as make bench starts one (servers.careloop_running: granian, 2 workers, production
   settings, a `careloop worker` beside it), so two web servers and two workers share the database.
   Every worker's outbound channels write to one append-only send log (sendlog.py).
3. Stateless: a patient signs in on A and submits on B; a clinician gives the password on A and
   the TOTP code on B, then reads the inbox on A.
4. Throughput: wrk with benchmarks/wrk/spread.lua, which gives each wrk thread a server (-t2 -c16:
   8 connections on A and 8 on B). "One server" is the same run with both threads on A while B
   idles, so the load generator, the workers and the machine are the same in both. Rounds
   interleave one and two servers; the ratio is the median of same-round ratios.
5. Duplicates: N PHQ-9s with item 9 answered, alternately through A and B from 8 client threads,
   each raising an alert; both workers (and each server's eager dispatch after commit) race to
   notify, escalate and deliver. When every chain has ended, the database and the send log are
   compared: each (alert, step, recipient, channel) the step's inbox entries call for must have
   exactly one delivery row, delivered, and sent exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.harness.config import (
    BENCH_DIR,
    CARELOOP_PORT,
    CONCURRENCY,
    PYTHON,
    ROOT,
    WEB_WORKERS,
    Profile,
    add_profile_arguments,
    chosen_profile,
)
from benchmarks.harness.deliveries import (
    DeliveryRow,
    InboxRow,
    audit_deliveries,
    read_send_log,
    senders_by_process,
)
from benchmarks.harness.load import WRK_SCRIPT, Client, ensure_wrk, wrk
from benchmarks.harness.operations import RISK_PHQ9, wait_until_idle, write_request_files
from benchmarks.harness.population import (
    ADMIN_URL,
    BenchError,
    _database_name,
    _read_marker,
    _server_url,
    check_postgres,
    prepare_postgres,
)
from benchmarks.harness.report import (
    Operation,
    git_info,
    machine_info,
    ratio,
    round_entry,
    write_json,
)
from benchmarks.harness.servers import careloop_running

PORT_A = CARELOOP_PORT
PORT_B = int(os.environ.get("BENCH_SCALE_PORT_B", str(CARELOOP_PORT + 2)))
SPREAD_SCRIPT = BENCH_DIR / "wrk" / "spread.lua"
SENDER = "benchmarks.harness.sendlog.FileSender"
OPERATIONS = (
    ("submit_phq9", "(a) submit + score PHQ-9 (rules, audit)"),
    ("read_last50_api", "(b) last 50 scored, JSON API"),
)
ALERTS = {"quick": 20, "full": 100}
CLIENT_THREADS = 8
CHAIN_LIMIT_SECONDS = 240
# Failed requests are recorded (errors per round), not a reason to stop, up to this share: a
# failure here is a finding (e.g. a deadlock between workers surfacing as a 500).
RECORDED_ERROR_RATE = 0.25
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[scale {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


# --- processes and clients --------------------------------------------------------------------


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench-scale", description=__doc__.splitlines()[0])
    add_profile_arguments(parser, quick_help="1,000-patient population, short runs")
    parser.add_argument("--alerts", type=int, help="PHQ-9s with item 9 answered (default 20/100)")
    return parser.parse_args(argv)


def _refuse_partial_population(profile: Profile) -> None:
    """prepare_postgres rebuilds a database without its completion marker; while another process
    is still seeding it that would destroy its work, so here a half-built population stops us."""
    database = _database_name(profile)
    with psycopg.connect(ADMIN_URL, connect_timeout=3) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if exists.fetchone() is None:
            return
    if _read_marker(_server_url(database)) is None:
        raise BenchError(
            f"{database} exists but is not complete (still being seeded?); wait for it, or drop "
            "it and run make bench first"
        )


def _run_fixtures(module: str, args: list[str], env: dict[str, str], out: Path) -> Any:
    command = [PYTHON, "-m", module, *args]
    done = subprocess.run(  # noqa: S603  # our own interpreter and module
        command, env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{module} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _spread(ports: Iterable[int]) -> dict[str, str]:
    return {"BENCH_BASE_SCRIPT": str(WRK_SCRIPT), "BENCH_PORTS": ",".join(map(str, ports))}


def _throughput(files: dict[str, Path], profile: Profile) -> list[dict[str, Any]]:
    url = f"http://127.0.0.1:{PORT_A}"
    one = {name: Operation(f"{name}_one", label) for name, label in OPERATIONS}
    two = {name: Operation(f"{name}_two", label, floor=f"{name}_one") for name, label in OPERATIONS}
    for round_number in range(1, profile.rounds + 1):
        log(f"round {round_number} of {profile.rounds}")
        for name, _ in OPERATIONS:
            for servers, ports in ((one, (PORT_A,)), (two, (PORT_A, PORT_B))):
                measured = wrk(
                    url,
                    files[name],
                    profile.seconds,
                    profile.warmup_seconds,
                    script=SPREAD_SCRIPT,
                    env_extra=_spread(ports),
                    max_error_rate=RECORDED_ERROR_RATE,
                )
                servers[name].runs.append(measured)
                for port in ports:
                    wait_until_idle(port)
                log(
                    f"  {name:<16} {len(ports)} server(s) {measured.rps:8.1f} req/s  "
                    f"p50 {measured.p50_ms:7.1f} ms  p99 {measured.p99_ms:7.1f} ms  "
                    f"(load {measured.load_avg_1m:.2f})"
                )
    entries = []
    for name, label in OPERATIONS:
        share = ratio(two[name], {f"{name}_one": one[name]})
        entries.append(
            {
                "name": name,
                "label": label,
                "one_server": _summary(one[name]),
                "two_servers": _summary(two[name]),
                "two_vs_one": None if share is None else round(share, 3),
            }
        )
    return entries


def _summary(operation: Operation) -> dict[str, Any]:
    def median(attribute: str) -> float | None:
        value = operation.median(attribute)
        return None if value is None else round(value, 2)

    return {
        "rps": median("rps"),
        "p50_ms": median("p50_ms"),
        "p99_ms": median("p99_ms"),
        "rounds": [round_entry(run) for run in operation.runs],
    }


class Browser:
    """A client that keeps the cookies a server sets (a sign-in moving between servers)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=180)
        headers = {"Host": "127.0.0.1", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers.get("Location", ""), data
        finally:
            connection.close()

    def json(self, port: int, method: str, path: str, body: Any) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {
            "Host": "127.0.0.1",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        }
        try:
            connection.request(method, path, body=json.dumps(body), headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


def _totp(spec: dict[str, Any]) -> str:
    from django_otp.oath import TOTP  # pure: no Django settings needed

    totp = TOTP(bytes.fromhex(spec["key"]), spec["step"], spec["t0"], spec["digits"])
    return f"{totp.token():0{spec['digits']}d}"


def _sign_in(browser: Browser, port: int, username: str, password: str) -> str:
    status, _, _ = browser.request(port, "GET", "/accounts/login/")
    if status != 200 or "csrftoken" not in browser.cookies:
        raise BenchError(f"GET /accounts/login/ on {port} gave {status} without a CSRF cookie")
    form = {"username": username, "password": password}
    status, location, body = browser.request(port, "POST", "/accounts/login/", form)
    if status != 302:
        raise BenchError(f"sign-in on {port} gave {status}: {body[:300]!r}")
    return location


def stateless_checks(scale: dict[str, Any]) -> dict[str, Any]:
    """A session begun on one server goes on on the other (sessions in the database, the same
    secret key; nothing kept in a process)."""
    sign_in = scale["sign_in"]
    checks: dict[str, Any] = {}
    patient = Browser()
    _sign_in(patient, PORT_A, sign_in["patient"], sign_in["password"])
    body = {
        "instrument": "phq9",
        "answers": [1, 1, 0, 1, 0, 1, 0, 0, 0],
        "client_id": str(uuid.uuid4()),
    }
    status, data = patient.json(PORT_B, "POST", "/api/assessments", body)
    checks["patient_signed_in_on_a_submits_on_b"] = {"status": status, "ok": status == 201}
    if status != 201:
        raise BenchError(
            f"a session made on {PORT_A} was refused on {PORT_B}: {status} {data[:300]!r}"
        )

    clinician = Browser()
    location = _sign_in(clinician, PORT_A, sign_in["clinician"], sign_in["password"])
    status, after, _ = clinician.request(
        PORT_B, "POST", "/accounts/verify/", {"code": _totp(sign_in["totp"])}
    )
    inbox, _, _ = clinician.request(PORT_A, "GET", "/api/alerts/inbox?after_seq=0&limit=1")
    checks["clinician_password_on_a_totp_on_b_inbox_on_a"] = {
        "after_password": location,
        "totp_status": status,
        "after_totp": after,
        "inbox_status": inbox,
        "ok": status == 302 and inbox == 200,
    }
    if not checks["clinician_password_on_a_totp_on_b_inbox_on_a"]["ok"]:
        raise BenchError(f"a staff sign-in could not move between servers: {checks}")
    return checks


def _inbox_head(port: int, cookie: str) -> int:
    client = Client(port, cookie)
    try:
        return int(client.json("GET", "/api/alerts/inbox?after_seq=0&limit=1")["last_seq"])
    finally:
        client.close()


def _inbox_alert_ids(port: int, cookie: str, after: int) -> set[str]:
    client = Client(port, cookie)
    found: set[str] = set()
    try:
        while True:
            page = client.json("GET", f"/api/alerts/inbox?after_seq={after}&limit=1000")
            for entry in page["entries"]:
                if entry["alert"]:
                    found.add(entry["alert"]["id"])
            if not page["entries"]:
                return found
            after = page["entries"][-1]["seq"]
    finally:
        client.close()


def raise_alerts(scale: dict[str, Any], count: int) -> list[tuple[str, int]]:
    """Submit `count` PHQ-9s with item 9 answered, alternately through A and B, from
    CLIENT_THREADS threads at once; (assessment id, port) of each."""
    patients = scale["patients"]
    csrf = scale["csrf"]

    def submit(index: int) -> tuple[str, int]:
        port = PORT_A if index % 2 == 0 else PORT_B
        patient = patients[index % len(patients)]
        client = Client(port, patient["cookie"], csrf)
        try:
            body = {"instrument": "phq9", "answers": RISK_PHQ9, "client_id": str(uuid.uuid4())}
            return str(client.json("POST", "/api/assessments", body, expect=201)["id"]), port
        finally:
            client.close()

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        return list(pool.map(submit, range(count)))


def _alert_ports(
    connection: psycopg.Connection[Any], submitted: list[tuple[str, int]]
) -> dict[str, int]:
    port_of = dict(submitted)
    rows = connection.execute(
        "SELECT id::text, split_part(trigger_key, ':', 2) FROM safety_alert"
        " WHERE split_part(trigger_key, ':', 1) = 'assessment'"
        " AND split_part(trigger_key, ':', 2) = ANY(%s)",
        (list(port_of),),
    ).fetchall()
    return {alert: port_of[assessment] for alert, assessment in rows}


def _chains_open(connection: psycopg.Connection[Any], alerts: list[str]) -> int:
    """Alerts whose chain has not ended (no fallback yet) or whose messages are still going."""
    row = connection.execute(
        "SELECT (SELECT count(*) FROM safety_alert WHERE id::text = ANY(%s)"
        "        AND fallback_fired_at IS NULL)"
        " + (SELECT count(*) FROM safety_alertdelivery WHERE alert_id::text = ANY(%s)"
        "        AND state IN ('pending', 'in_flight'))",
        (alerts, alerts),
    ).fetchone()
    return int(row[0]) if row else 0


def _read_audit_inputs(
    connection: psycopg.Connection[Any], alerts: list[str]
) -> tuple[list[InboxRow], list[DeliveryRow], dict[str, int]]:
    inbox = [
        InboxRow(
            alert,
            step,
            recipient,
            tuple(c for c, has in zip(("email", "sms", "web_push"), flags, strict=True) if has),
        )
        for alert, step, recipient, *flags in connection.execute(
            "SELECT i.alert_id::text, s.number, i.recipient_id::text, u.email <> '',"
            " u.phone_number <> '',"
            " EXISTS (SELECT 1 FROM notifications_pushsubscription p WHERE p.user_id = u.id)"
            " FROM safety_inboxentry i JOIN safety_escalationstep s ON s.id = i.step_id"
            " JOIN accounts_user u ON u.id = i.recipient_id"
            " WHERE i.alert_id::text = ANY(%s) AND i.kind = 'alert'",
            (alerts,),
        ).fetchall()
    ]
    deliveries = [
        DeliveryRow(*row)
        for row in connection.execute(
            "SELECT d.alert_id::text, s.number, d.recipient_id::text, d.channel, d.state,"
            " d.idempotency_key, d.attempts, d.lease_owner FROM safety_alertdelivery d"
            " JOIN safety_escalationstep s ON s.id = d.step_id WHERE d.alert_id::text = ANY(%s)",
            (alerts,),
        ).fetchall()
    ]
    steps = dict(
        connection.execute(
            "SELECT CASE WHEN number = 0 THEN 'fallback' ELSE 'step ' || number END, count(*)"
            " FROM safety_escalationstep WHERE alert_id::text = ANY(%s) GROUP BY 1 ORDER BY 1",
            (alerts,),
        ).fetchall()
    )
    return inbox, deliveries, {str(k): int(v) for k, v in steps.items()}


def duplicate_check(url: str, scale: dict[str, Any], count: int, send_log: Path) -> dict[str, Any]:
    staff = scale["staff"]["clinician-1"]["cookie"]
    heads = {port: _inbox_head(port, staff) for port in (PORT_A, PORT_B)}
    started = time.perf_counter()
    submitted = raise_alerts(scale, count)
    log(f"  {len(submitted)} PHQ-9s with item 9 answered in {time.perf_counter() - started:.1f} s")
    with psycopg.connect(url, autocommit=True) as connection:
        ports = _alert_ports(connection, submitted)
        alerts = list(ports)
        deadline = time.monotonic() + CHAIN_LIMIT_SECONDS
        while (open_chains := _chains_open(connection, alerts)) and time.monotonic() < deadline:
            time.sleep(1)
        chain_seconds = time.perf_counter() - started
        log(f"  chains ended after {chain_seconds:.1f} s ({open_chains} still open)")
        inbox, deliveries, steps = _read_audit_inputs(connection, alerts)
    processes = senders_by_process(send_log)
    audit = audit_deliveries(alerts, inbox, deliveries, read_send_log(send_log), processes)
    # Alerts raised through one server, read through the other (the clinician's inbox).
    seen_on = {port: _inbox_alert_ids(port, staff, heads[port]) for port in (PORT_A, PORT_B)}
    via_a = {alert for alert, port in ports.items() if port == PORT_A}
    via_b = {alert for alert, port in ports.items() if port == PORT_B}
    crossed = {
        "raised_via_a_seen_via_b": f"{len(via_a & seen_on[PORT_B])}/{len(via_a)}",
        "raised_via_b_seen_via_a": f"{len(via_b & seen_on[PORT_A])}/{len(via_b)}",
        "ok": via_a <= seen_on[PORT_B] and via_b <= seen_on[PORT_A],
    }
    return {
        "phq9_submitted": len(submitted),
        "client_threads": CLIENT_THREADS,
        "tier_seconds": scale["tier_seconds"],
        "chains_ended_s": round(chain_seconds, 1),
        "chains_still_open": open_chains,
        "steps_by_number": steps,
        **asdict(audit),
        "ok": audit.ok and open_chains == 0,
        "sends_by_process": processes,
        "delivered_by_process": dict(Counter(row.owner for row in deliveries)),
        "inbox_across_servers": crossed,
    }


def worker_failures(logs: Path) -> dict[str, int]:
    """Failed worker job runs in the workers' logs ("<job>: <exception>" -> count). A failed run
    rolls back and is retried on the next tick; a deadlock between workers shows up here."""
    failures: Counter[str] = Counter()
    for path in sorted(logs.glob("careloop-worker*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            event = str(entry.get("event", ""))
            if event.startswith("worker job ") and " failed" in event:
                job = event.removeprefix("worker job ").split(" ", 1)[0]
                error = str(entry.get("exception", "")).split(" at ", 1)[0].rsplit(".", 1)[-1]
                failures[f"{job}: {error}"] += 1
    return dict(failures)


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    profile = chosen_profile(quick=options.quick, rounds=options.rounds, seconds=options.seconds)
    alerts = options.alerts or ALERTS[profile.name]
    work = Path(tempfile.mkdtemp(prefix="careloop-scale-"))
    logs = work / "logs"
    logs.mkdir()
    send_log = work / "sends.log"
    try:
        if PORT_B == PORT_A:
            raise BenchError("BENCH_SCALE_PORT_B must differ from BENCH_CARELOOP_PORT")
        ensure_wrk()
        postgres_version = check_postgres()
        machine = machine_info(postgres_version)
        log(f"profile {profile.name}; servers on {PORT_A} and {PORT_B}; work dir {work}")
        _refuse_partial_population(profile)
        population = prepare_postgres(profile, log)
        env = population.env
        slug = (
            f"synthetic-s{profile.seed}-p{profile.patients}-w{profile.weeks}"
            f"-{profile.end_date:%Y%m%d}"
        )
        fixtures = _run_fixtures(
            "benchmarks.harness.fixtures",
            [slug, str(work / "fixtures.json"), str(profile.submit_patients), "200"],
            env,
            work / "fixtures.json",
        )
        scale = _run_fixtures(
            "benchmarks.harness.scale_fixtures",
            [slug, str(work / "scale.json"), str(min(alerts, 50))],
            env,
            work / "scale.json",
        )
        log(f"fixtures ready (worker settled: {fixtures['settled']}, {scale['settled']})")
        files = write_request_files(fixtures, work)
        run_env = {
            **env,
            "NOTIFICATION_EMAIL_SENDER": SENDER,
            "NOTIFICATION_SMS_SENDER": SENDER,
            "NOTIFICATION_WEB_PUSH_SENDER": SENDER,
            "BENCH_SEND_LOG": str(send_log),
        }
        with ExitStack() as stack:
            stack.enter_context(careloop_running(run_env, logs, PORT_A, "-a"))
            stack.enter_context(careloop_running(run_env, logs, PORT_B, "-b"))
            log("two servers and two workers up")
            stateless = stateless_checks(scale)
            log(f"  stateless: {stateless}")
            throughput = _throughput(files, profile)
            log(f"raising {alerts} alerts through both servers")
            duplicates = duplicate_check(population.url, scale, alerts, send_log)
    except BenchError as error:
        print(f"\nbench-scale could not finish: {error}\n(logs kept in {logs})", file=sys.stderr)
        return 2
    document = {
        "profile": f"scale-{profile.name}",
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "duration_s": round(time.monotonic() - STARTED, 1),
        "machine": {**machine, "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "git": git_info(),
        "method": {
            "servers": [
                {"port": port, "server": "careloop serve (granian)", "web_workers": WEB_WORKERS}
                for port in (PORT_A, PORT_B)
            ],
            "workers": 2,
            "concurrency": CONCURRENCY,
            "load_generator": "one wrk (-t2) with benchmarks/wrk/spread.lua: one thread per "
            "server, 8 connections each; 'one server' puts both threads on A while B idles",
            "rounds": profile.rounds,
            "seconds_per_run": profile.seconds,
            "warmup_seconds": profile.warmup_seconds,
            "pgoptions": os.environ.get("PGOPTIONS", ""),
        },
        "population": {
            "database": population.database,
            **population.counts,
            **profile.population_key(),
        },
        "stateless": stateless,
        "throughput": throughput,
        "alert_deliveries": duplicates,
        "worker_job_failures": worker_failures(logs),
    }
    path = write_json(
        options.results, "scale" if profile.name == "full" else "scale-quick", document
    )
    print(json.dumps({"throughput": throughput, "alert_deliveries": duplicates}, indent=2))
    print(f"\nresults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0 if duplicates["ok"] else 1
