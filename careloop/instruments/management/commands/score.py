"""`careloop score <instrument> --answers 0,1,2,...`: score answers and print the result JSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.instruments import cli
from careloop.instruments.scoring import ScoringError, Sex, score


class Command(BaseCommand):
    help = (
        "Score one administration of an instrument and print the result as JSON. "
        "Example: careloop score phq9 --answers 0,1,2,3,0,1,2,3,0"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("instrument", help="instrument id, e.g. phq9 (see: instruments list)")
        parser.add_argument(
            "--answers",
            required=True,
            help="comma-separated response values in item order; leave an entry empty or "
            "write '-' for a missing item (e.g. 1,,2). Start with '-' as --answers=-,1,2",
        )
        parser.add_argument(
            "--sex", choices=[sex.value for sex in Sex], help="used by AUDIT-C cut-offs"
        )
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="instrument option, e.g. --option cutoff=31 for PCL-5",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = score(
                options["instrument"],
                cli.parse_answers(options["answers"]),
                sex=options["sex"],
                **cli.parse_options(options["option"]),
            )
        except ScoringError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(cli.result_json(result))
