"""The populations: a PostgreSQL one reused across runs (keyed by its parameters), the floor's
copy of it, and a small SQLite one whose only figure is how long it takes to generate."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from benchmarks.harness.config import BENCH_DIR, CARELOOP, ROOT, Profile
from benchmarks.harness.environment import KEYS_ROOT, keys_dir, production_env

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/postgres")
MARKER = "bench_population_marker"
# Bump when what the harness adds to a population changes, so old populations are rebuilt.
HARNESS_VERSION = 2


Log = Callable[[str], None]


class BenchError(RuntimeError):
    """A harness failure the user must act on; the message says what to do."""


@dataclass(frozen=True)
class Population:
    database: str
    url: str
    reused: bool
    seed_seconds: float  # careloop seed (PostgreSQL, COPY); from the marker when reused
    floor_seconds: float
    counts: dict[str, int]
    env: dict[str, str]  # the production environment, with this population's keys


def check_postgres() -> str:
    """The server version, or a BenchError telling the user how to make PostgreSQL reachable."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3) as connection:
            return str(connection.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    except psycopg.OperationalError as error:
        raise BenchError(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({str(error).strip().splitlines()[0]}).\n"
            "make bench needs the machine's PostgreSQL: start it (e.g. `pg_ctlcluster 15 main "
            "start`) or point BENCH_POSTGRES_URL at a server where this user may create databases."
        ) from None


def _server_url(database: str) -> str:
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}"


def _database_name(profile: Profile) -> str:
    key = json.dumps({**profile.population_key(), "harness": HARNESS_VERSION}, sort_keys=True)
    return f"careloop_bench_{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def careloop(database_url: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a careloop command against `database_url`; its stdout, or a BenchError with stderr."""
    full_env = {**(env or os.environ), "DATABASE_URL": database_url}
    done = subprocess.run(  # noqa: S603  # our own console script, fixed arguments
        [CARELOOP, *args], env=full_env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode != 0:
        raise BenchError(f"careloop {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _read_marker(url: str) -> dict[str, float] | None:
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            row = connection.execute(
                sql.SQL("SELECT seed_seconds, floor_seconds FROM {}").format(sql.Identifier(MARKER))
            ).fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    return None if row is None else {"seed_seconds": row[0], "floor_seconds": row[1]}


def _recreate(database: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        name = sql.Identifier(database)
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))


def _seed_args(profile: Profile, patients: int) -> list[str]:
    return [
        "seed",
        f"--patients={patients}",
        f"--weeks={profile.weeks}",
        f"--seed={profile.seed}",
        f"--teams={profile.teams}",
        f"--end-date={profile.end_date.isoformat()}",
    ]


def _seeded_counts(output: str) -> dict[str, int]:
    found = re.search(r"(\d+) patients, (\d+) episodes, (\d+) assessments, (\d+) alerts", output)
    if found is None:
        raise BenchError(f"unexpected output from careloop seed: {output[-500:]}")
    names = ("patients", "episodes", "assessments", "alerts")
    return dict(zip(names, (int(n) for n in found.groups()), strict=True))


def copy_floor_rows(url: str) -> float:
    """Fill the floor's table from the population's answers with COPY out / COPY in, so both
    sides hold the same patients and the same number of rows per patient; seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(url) as source, psycopg.connect(url) as target:
        target.execute((BENCH_DIR / "floor" / "schema.sql").read_text())
        out_query = (
            "COPY (SELECT patient_id, completed_at, jsonb_build_object('patient_id', patient_id,"
            " 'instrument', instrument_id, 'answers', answers, 'total', score_total,"
            " 'completed_at', completed_at, 'client_id', client_id)"
            " FROM assessments_assessment) TO STDOUT"
        )
        in_query = "COPY bench_floor_event (patient_id, recorded_at, body) FROM STDIN"
        with (
            source.cursor().copy(out_query) as copy_out,
            target.cursor().copy(in_query) as copy_in,
        ):
            for block in copy_out:
                copy_in.write(block)
        target.commit()
        target.execute((BENCH_DIR / "floor" / "indexes.sql").read_text())
        target.commit()
    return time.perf_counter() - started


def prepare_postgres(profile: Profile, log: Log) -> Population:
    database = _database_name(profile)
    url = _server_url(database)
    marker = _read_marker(url)
    keys = KEYS_ROOT / database / "field_encryption_keys.json"
    if marker is not None and not keys.exists():
        # Seeded rows are encrypted with keys kept under var/; without them (a fresh clone
        # beside an old database) the population is unreadable, so it is built again.
        log(f"{database} exists but its keys are not under {KEYS_ROOT}; rebuilding it")
        marker = None
    if marker is not None:
        env = production_env(url, keys_dir(database))
        log(f"reusing population {database} (same parameters); migrating only")
        careloop(url, "migrate", "--verbosity=0", env=env)
        counts = _count_rows(url)
        return Population(
            database, url, True, marker["seed_seconds"], marker["floor_seconds"], counts, env
        )
    log(f"creating {database}: {profile.patients} patients x {profile.weeks} weeks")
    _recreate(database)
    env = production_env(url, keys_dir(database, fresh=True))
    careloop(url, "migrate", "--verbosity=0", env=env)
    started = time.perf_counter()
    output = careloop(url, *_seed_args(profile, profile.patients), env=env)
    seed_seconds = time.perf_counter() - started
    counts = _seeded_counts(output)
    log(f"seeded in {seed_seconds:.1f} s: {counts}")
    floor_seconds = copy_floor_rows(url)
    log(f"floor table copied and indexed in {floor_seconds:.1f} s")
    _vacuum(url)
    with psycopg.connect(url) as connection:
        connection.execute(
            sql.SQL(
                "CREATE TABLE {} (params jsonb, seed_seconds float8, floor_seconds float8,"
                " created_at timestamptz DEFAULT now())"
            ).format(sql.Identifier(MARKER))
        )
        connection.execute(
            sql.SQL(
                "INSERT INTO {} (params, seed_seconds, floor_seconds) VALUES (%s, %s, %s)"
            ).format(sql.Identifier(MARKER)),
            (json.dumps(profile.population_key()), seed_seconds, floor_seconds),
        )
    return Population(database, url, False, seed_seconds, floor_seconds, counts, env)


def _vacuum(url: str) -> None:
    """Fresh statistics and visibility maps, as a long-running database would have."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def _count_rows(url: str) -> dict[str, int]:
    tables = {
        "patients": "care_patient",
        "episodes": "care_treatmentepisode",
        "assessments": "assessments_assessment",
        "alerts": "safety_alert",
    }
    with psycopg.connect(url) as connection:
        return {
            name: int(
                connection.execute(  # type: ignore[index]
                    sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
                ).fetchone()[0]
            )
            for name, table in tables.items()
        }


def seed_sqlite(profile: Profile, log: Log) -> dict[str, float | int]:
    """Generate the small SQLite population from scratch; how long it took."""
    with tempfile.TemporaryDirectory(prefix="careloop-bench-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        careloop(url, "migrate", "--verbosity=0")
        started = time.perf_counter()
        output = careloop(url, *_seed_args(profile, profile.sqlite_patients))
        seconds = time.perf_counter() - started
    counts = _seeded_counts(output)
    log(f"SQLite population seeded in {seconds:.1f} s: {counts}")
    return {"seconds": round(seconds, 2), **counts}
