"""`careloop instruments list [--json]`: show the instrument library."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.instruments import cli
from careloop.instruments.library import InvalidDefinition, list_instruments


class Command(BaseCommand):
    help = "Inspect the instrument library. Usage: careloop instruments list [--json]"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="list every instrument definition")
        listing.add_argument(
            "--json", action="store_true", dest="as_json", help="print JSON instead of a table"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            definitions = list_instruments()
        except InvalidDefinition as error:
            raise CommandError(str(error)) from error
        if options["as_json"]:
            self.stdout.write(cli.instruments_json(definitions))
        else:
            self.stdout.write(cli.instruments_table(definitions))
