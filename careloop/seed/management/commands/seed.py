"""`careloop seed`: the demo service (--demo) or a synthetic population of any size."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from careloop.core import clock
from careloop.core.services import ensure_service_for_seed
from careloop.seed.demo import DEMO_PASSWORD, seed_demo
from careloop.seed.loader import ensure_teams, load_population, population_digest
from careloop.seed.population import PopulationSpec, generate_population, summarise


class Command(BaseCommand):
    help = "Seed the demo service (--demo) or a deterministic synthetic population."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="create or refresh the demo service"
        )
        parser.add_argument("--patients", type=int, default=1000)
        parser.add_argument("--weeks", type=int, default=12)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--teams", type=int, default=4)
        parser.add_argument(
            "--end-date",
            type=date.fromisoformat,
            default=None,
            help="last measurement day, YYYY-MM-DD (default: today, UTC)",
        )
        parser.add_argument("--digest", action="store_true", help="print a SHA-256 of the data")
        parser.add_argument("--summary", action="store_true", help="print realised outcome rates")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            self._demo()
        else:
            self._population(options)

    def _demo(self) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError("refusing to create demo logins with CARELOOP_ENV=production")
        logins = seed_demo()
        self.stdout.write(
            f"Demo service ready. Every demo login uses the password: {DEMO_PASSWORD}"
        )
        for login in logins:
            self.stdout.write(f"  {login.persona.username:<6} {login.persona.about}")
        self.stdout.write(
            "Staff (ben, sam, dana, cleo, rae) also need a one-time code after the password. Get "
            "the current one with:  .venv/bin/careloop otp-code ben"
        )

    def _population(self, options: dict[str, Any]) -> None:
        if options["patients"] < 1 or not 1 <= options["weeks"] <= 104 or options["teams"] < 1:
            raise CommandError("--patients and --teams must be >= 1 and --weeks between 1 and 104")
        spec = PopulationSpec(
            patients=options["patients"],
            weeks=options["weeks"],
            seed=options["seed"],
            end_date=options["end_date"] or clock.now().date(),
            teams_per_service=options["teams"],
        )
        slug = f"synthetic-s{spec.seed}-p{spec.patients}-w{spec.weeks}-{spec.end_date:%Y%m%d}"
        started = time.perf_counter()
        # One transaction with the service row: an interrupted load leaves no empty service behind
        # that a re-run would mistake for a finished one.
        with transaction.atomic():
            service, created = ensure_service_for_seed(
                slug, defaults={"name": f"Synthetic service ({slug})", "is_demo": True}
            )
            if created:
                teams = ensure_teams(service, spec.teams_per_service)
                report = load_population(spec, service, teams)
        if created and connection.vendor == "postgresql":
            # Fresh statistics: on an un-analysed 30k-patient load one report query planned on
            # empty statistics ran for 187 s instead of 0.07 s (docs/performance.md).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        if created:
            self.stdout.write(
                f"Seeded {slug}: {report.patients} patients, {report.episodes} episodes, "
                f"{report.assessments} assessments, {report.alerts} alerts, {report.staff} staff "
                f"in {seconds:.1f} s"
            )
        else:
            self.stdout.write(
                f"{slug} already exists; nothing written (same parameters, same data)"
            )
        if options["summary"]:
            self.stdout.write(str(summarise(generate_population(spec))))
        if options["digest"]:
            self.stdout.write(f"digest {population_digest(service)}")
