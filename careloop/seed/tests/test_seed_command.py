"""`careloop seed` end to end, through the real console script on throw-away SQLite files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ARGS = [
    "--patients",
    "1000",
    "--weeks",
    "12",
    "--seed",
    "7",
    "--end-date",
    "2026-06-30",
    "--digest",
]


def _careloop(db: Path, *args: str) -> str:
    return _careloop_env({"DATABASE_URL": f"sqlite:///{db}"}, *args)


def _careloop_env(extra: dict[str, str], *args: str) -> str:
    env = {**os.environ, **extra, "CARELOOP_ENV": "test"}
    done = subprocess.run(  # noqa: S603  # our own interpreter and fixed arguments
        [sys.executable, "-m", "careloop.core.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_same_parameters_give_identical_data_in_two_databases(tmp_path: Path) -> None:
    digests = []
    for name in ("one.sqlite3", "two.sqlite3"):
        _careloop(tmp_path / name, "migrate", "--verbosity", "0")
        out = _careloop(tmp_path / name, "seed", *ARGS)
        assert re.search(r"Seeded .*: 1000 patients, 1000 episodes, \d{4,} assessments", out), out
        digests.append(re.search(r"digest ([0-9a-f]{64})", out).group(1))
    assert digests[0] == digests[1]
    again = _careloop(tmp_path / "one.sqlite3", "seed", *ARGS)
    assert "already exists; nothing written" in again
    assert f"digest {digests[0]}" in again
    other = _careloop(tmp_path / "one.sqlite3", "seed", *ARGS[:5], "8", *ARGS[6:])
    assert f"digest {digests[0]}" not in other


@pytest.mark.slow  # a fresh interpreter sets up Django to run the real command
def test_bad_arguments_exit_non_zero_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "bad.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "CARELOOP_ENV": "test"}
    done = subprocess.run(
        [sys.executable, "-m", "careloop.core.cli", "seed", "--patients", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "--patients" in done.stderr


def _postgres_admin_url() -> str | None:
    """The PostgreSQL server the suite may use (loopback only), or None when there is none."""
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("CARELOOP_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/postgres")
    try:
        with psycopg.connect(url, connect_timeout=2):
            return url
    except psycopg.OperationalError:
        return None


@pytest.mark.slow
def test_copy_into_postgresql_gives_the_same_rows_as_sqlite(tmp_path: Path) -> None:
    """The PostgreSQL path streams rows with COPY; it must store exactly what bulk_create does."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    import psycopg

    args = ["seed", "--patients", "300", "--weeks", "8", "--seed", "11"]
    args += ["--end-date", "2026-06-30", "--digest"]
    name = f"careloop_seedtest_{os.getpid()}"
    server = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        pg_env = {"DATABASE_URL": f"{server}/{name}"}
        _careloop_env(pg_env, "migrate", "--verbosity", "0")
        on_postgres = _careloop_env(pg_env, *args)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    db = tmp_path / "copy.sqlite3"
    _careloop(db, "migrate", "--verbosity", "0")
    on_sqlite = _careloop(db, *args)
    assert re.search(r"Seeded .*: 300 patients, 300 episodes, \d{3,} assessments", on_postgres)
    digest = re.search(r"digest ([0-9a-f]{64})", on_sqlite)
    assert digest is not None
    assert f"digest {digest.group(1)}" in on_postgres
