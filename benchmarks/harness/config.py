"""What one benchmark run does: the full profile (`make bench`) and the quick one (CI)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "benchmarks"
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
CARELOOP = str(VENV_BIN / "careloop")

CONCURRENCY = 16
WEB_WORKERS = 2
CARELOOP_PORT = int(os.environ.get("BENCH_CARELOOP_PORT", "18731"))
FLOOR_PORT = int(os.environ.get("BENCH_FLOOR_PORT", "18732"))


@dataclass(frozen=True)
class Profile:
    name: str
    patients: int
    weeks: int
    sqlite_patients: int
    seconds: float  # measured seconds per HTTP run
    warmup_seconds: float
    rounds: int
    alert_samples: int
    report_samples: int
    screen_lines: int
    submit_patients: int  # patients given a login (and a session) to submit as
    export_since_days: int | None  # bulk export only this recent a slice (None: everything)
    seed: int = 7
    teams: int = 4

    @property
    def end_date(self) -> date:
        """The population's last measurement day: the first of this month, so a population
        is reused for the whole month rather than re-seeded every day."""
        return datetime.now(UTC).date().replace(day=1)

    def population_key(self) -> dict[str, object]:
        return {
            "patients": self.patients,
            "weeks": self.weeks,
            "seed": self.seed,
            "teams": self.teams,
            "end_date": self.end_date.isoformat(),
        }


FULL = Profile(
    name="full",
    patients=100_000,
    weeks=12,
    sqlite_patients=2_000,
    seconds=30,
    warmup_seconds=5,
    rounds=3,
    alert_samples=30,
    report_samples=3,
    screen_lines=1_000,
    submit_patients=500,
    export_since_days=7,
)
QUICK = Profile(
    name="quick",
    patients=1_000,
    weeks=12,
    sqlite_patients=200,
    seconds=5,
    warmup_seconds=2,
    rounds=1,
    alert_samples=5,
    report_samples=2,
    screen_lines=200,
    submit_patients=50,
    export_since_days=None,
)


def add_profile_arguments(parser: argparse.ArgumentParser, *, quick_help: str) -> None:
    """The options every benchmark command shares: which profile, and its rounds and seconds."""
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--rounds", type=int, help="override the profile's rounds")
    parser.add_argument("--seconds", type=float, help="override the measured seconds per run")
    parser.add_argument(
        "--results", type=Path, default=RESULTS_DIR, help="where the JSON result goes"
    )


def chosen_profile(*, quick: bool, rounds: int | None, seconds: float | None) -> Profile:
    """The full or quick profile, with the command line's rounds and seconds if given."""
    profile = QUICK if quick else FULL
    return replace(profile, rounds=rounds or profile.rounds, seconds=seconds or profile.seconds)


# Registry page (c): a caseload of exactly this many patients.
REGISTRY_CASELOAD = 200
