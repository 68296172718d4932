"""`careloop report nhs-tt --service SLUG [--from DAY] [--to DAY] [--json] [--by-group]`:
service outcomes (with --by-group, the service dashboard's figures by group as well)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.analytics.reports import nhs_tt_report, report_json, report_text
from careloop.analytics.selectors import service_by_slug
from careloop.core.errors import DomainError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Service reports. Usage: careloop report nhs-tt --service SLUG [--json]"

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        nhs_tt = reports.add_parser(
            "nhs-tt", help="NHS Talking Therapies recovery, reliable improvement and more"
        )
        nhs_tt.add_argument("--service", required=True, help="the service's slug")
        nhs_tt.add_argument("--from", dest="period_from", help="first day, YYYY-MM-DD")
        nhs_tt.add_argument("--to", dest="period_to", help="last day, YYYY-MM-DD")
        nhs_tt.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
        nhs_tt.add_argument(
            "--by-group",
            action="store_true",
            help=(
                "also every service dashboard metric by ethnicity, gender, age band, language "
                "and deprivation quintile (95 %% Wilson intervals, groups under 10 suppressed)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        period_from = _day(options["period_from"]) if options["period_from"] else None
        period_to = _day(options["period_to"]) if options["period_to"] else None
        started = time.monotonic()
        try:
            service = service_by_slug(options["service"])
            report = nhs_tt_report(
                service,
                period_from=period_from,
                period_to=period_to,
                by_group=options["by_group"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        if options["as_json"]:
            self.stdout.write(report_json(report))
        else:
            self.stdout.write(report_text(report))
            self.stderr.write(f"computed in {time.monotonic() - started:.2f} s")
