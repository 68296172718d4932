"""`careloop screen-text`: screen JSON lines from stdin for crisis language, one result per line.

Every well-formed line gets its result, in input order, even when other lines are malformed: a
batch of journal entries must not go unscreened because one line was broken. A malformed line
gets a message on stderr naming its line number, and the command then exits non-zero, so no
caller can mistake a partly screened batch for a complete one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError

from careloop.safety.text import UnsupportedLanguage, screen_text
from careloop.safety.text.jsonl import MalformedLine, parse_request, result_line


def _lines(stream: IO[Any]) -> Iterator[tuple[int, str | MalformedLine]]:
    """Numbered lines; bytes that are not UTF-8 become a MalformedLine for that line only."""
    source = getattr(stream, "buffer", stream)
    for number, raw in enumerate(source, start=1):
        if isinstance(raw, bytes):
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, MalformedLine("not valid UTF-8")
        else:
            yield number, raw


class Command(BaseCommand):
    help = (
        'Screen free text for crisis language. Reads JSON lines {"id", "text", "language"?} on '
        'stdin; writes {"id", "level", "score", "evidence", "detector_version", "model"} per '
        "line. Levels: none, low, moderate, high, unscreened; moderate and above should raise an "
        "alert, unscreened (a language the detector does not cover) needs a human to read it. "
        "The language is detected when it is left out. "
        "Exits non-zero if any line was malformed (the others are still screened)."
    )
    requires_system_checks = ()  # pure text in, text out: no database, no settings
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin
        screened = failed = 0
        for number, line in _lines(stream):
            if isinstance(line, str) and not line.strip():
                continue  # blank lines (a trailing newline) are not requests
            try:
                if isinstance(line, MalformedLine):
                    raise line
                request = parse_request(line)
                screen = screen_text(request.text, language=request.language)
            except (MalformedLine, UnsupportedLanguage) as error:
                failed += 1
                self.stderr.write(f"line {number}: {error}")
                continue
            screened += 1
            self.stdout.write(result_line(request.request_id, screen))
            self.stdout.flush()  # a caller reading a pipe sees each result as soon as it exists
        if failed:
            raise CommandError(
                f"{failed} malformed line(s) not screened; {screened} line(s) screened"
            )
