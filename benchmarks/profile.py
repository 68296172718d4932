"""Profile one Careloop request in-process with pyinstrument, against the benchmark population.

    .venv/bin/python -m benchmarks.profile [--quick] [--as registry_clinician] PATH [PATH...]

A PATH written POST:/api/assessments submits a PHQ-9 (use --as submitters).

It reuses (or builds) the population `make bench` uses, mints sessions the same way, then runs
each request a few times under the production settings and prints pyinstrument's call tree and
the number of SQL queries. This is how the slow paths in docs/performance.md were found.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness.config import FULL, PYTHON, QUICK, REGISTRY_CASELOAD, ROOT
from benchmarks.harness.population import prepare_postgres

_IN_DJANGO = """
import json, os, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pyinstrument import Profiler

fixtures = json.load(open(sys.argv[1]))
who, repeat, paths = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
TOP_SQL = int(os.environ.get("BENCH_TOP_SQL", "3"))
client = Client(HTTP_HOST="127.0.0.1")
cookie = fixtures[who] if isinstance(fixtures[who], str) else fixtures[who][0]["cookie"]
client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
client.cookies.load(cookie)
import uuid
PHQ9 = [1, 1, 2, 1, 0, 1, 1, 0, 0]

def call(path):
    if not path.startswith("POST:"):
        return client.get(path)
    body = {"instrument": "phq9", "answers": PHQ9, "client_id": str(uuid.uuid4())}
    return client.post(path[5:], body, content_type="application/json",
                       headers={"X-CSRFToken": fixtures["csrf"]})

for path in paths:
    call(path)  # warm
    profiler = Profiler(interval=0.0005)
    with CaptureQueriesContext(connection) as queries:
        profiler.start()
        started = time.perf_counter()
        for _ in range(repeat):
            response = call(path)
        seconds = (time.perf_counter() - started) / repeat
        profiler.stop()
    print(f"== {path}: status {response.status_code}, {seconds * 1000:.1f} ms per request, "
          f"{len(queries) // repeat} queries per request")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:TOP_SQL]
    for query in slowest:
        print(f"-- {float(query['time']) * 1000:.1f} ms: {query['sql'][:3000]}")
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--as", dest="who", default="registry_clinician")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("paths", nargs="+")
    options = parser.parse_args(argv)
    profile = QUICK if options.quick else FULL
    population = prepare_postgres(profile, print)
    with tempfile.TemporaryDirectory(prefix="careloop-profile-") as directory:
        work = Path(directory)
        env = dict(population.env)
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        slug = (
            f"synthetic-s{profile.seed}-p{profile.patients}-w{profile.weeks}-"
            f"{profile.end_date:%Y%m%d}"
        )
        fixtures = work / "fixtures.json"
        command = [PYTHON, "-m", "benchmarks.harness.fixtures", slug, str(fixtures)]
        command += [str(profile.submit_patients), str(REGISTRY_CASELOAD)]
        subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603
        json.loads(fixtures.read_text())  # fail early on a broken file
        run = [PYTHON, "-c", _IN_DJANGO, str(fixtures), options.who, str(options.repeat)]
        return subprocess.run([*run, *options.paths], env=env, cwd=ROOT, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    sys.exit(main(sys.argv[1:]))
