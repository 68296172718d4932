"""`careloop research extract --service SLUG --by USER --purpose HRESCH --out FILE`.

Writes FILE (CSV, one row per measure) and FILE with the suffix `.report.json` (k achieved, people
suppressed, quasi-identifiers and their generalisation levels). Only consenting patients; see
careloop/analytics/research_extract.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.accounts.selectors import active_user_named
from careloop.analytics.research_extract import STREAMS, build_extract, write_csv
from careloop.analytics.selectors import service_by_slug
from careloop.core.errors import DomainError

PURPOSES = ("HRESCH",)


class Command(BaseCommand):
    help = "Research extracts: pseudonymised, k-anonymous, consenting patients only."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        extract = actions.add_parser("extract", help="write a CSV extract and its JSON report")
        extract.add_argument("--service", required=True, help="the service's slug")
        extract.add_argument("--by", required=True, help="user name of the researcher")
        extract.add_argument("--purpose", required=True, choices=PURPOSES)
        extract.add_argument("--out", required=True, type=Path, help="CSV file to write")
        extract.add_argument(
            "--streams",
            default=",".join(s.value for s in STREAMS),
            help="comma-separated: questionnaires, checkins",
        )
        extract.add_argument("--k", type=int, default=5, help="smallest class size (>= 5)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["k"] < 5:
            raise CommandError("k must be at least 5")
        try:
            service = service_by_slug(options["service"])
            actor = active_user_named(options["by"], service_id=service.id)
            if actor is None:
                raise CommandError("--by must name an active user of that service")
            extract = build_extract(
                actor,
                purpose=options["purpose"],
                streams=[s.strip() for s in options["streams"].split(",") if s.strip()],
                k=options["k"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        out: Path = options["out"]
        write_csv(extract, out)
        report_path = out.with_suffix(".report.json")
        report_path.write_text(json.dumps(extract.report(), indent=1), encoding="utf-8")
        report = extract.report()
        self.stdout.write(
            f"wrote {report['rows']} rows about {report['patients_released']} people to {out} "
            f"(k achieved {report['k_achieved']}, {report['patients_suppressed']} suppressed); "
            f"report {report_path}"
        )
