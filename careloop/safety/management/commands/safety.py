"""`careloop safety screen-text`: the safety commands under one name (issue #4's spelling).

`careloop screen-text` is the same command; this one groups safety's operator commands.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Safety commands: screen-text (crisis-language screening of JSON lines on stdin)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        commands.add_parser("screen-text", help="screen JSON lines {id, text} read from stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "screen-text":
            call_command(
                "screen_text",
                stdin=options.get("stdin"),
                stdout=self.stdout._out,
                stderr=self.stderr._out,
            )
