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
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "CARELOOP_ENV": "test"}
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
