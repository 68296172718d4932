"""`careloop messages`: refresh the translation catalogues (#14, docs/patient-app/languages.md).

One catalogue per shipped language, locale/<code>/LC_MESSAGES/django.po at the repository root
(settings.LOCALE_PATHS). `careloop messages` extracts every marked string from careloop/ (Python
and templates; tests, the virtualenv, var/ and benchmarks left out) into each catalogue — new
strings arrive with an empty msgstr, strings no longer used are dropped, translations kept — and
compiles the .mo files the server reads. `--compile-only` only compiles (after translating).
`--check` changes nothing: it fails when a catalogue lacks a string the code marks, or a .mo is
older than its .po (CI's and the tests' view).

Locations are written as file names without line numbers (`--add-location=file`), so an edit
elsewhere in a file does not churn every catalogue.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

IGNORED = [".venv", "var", "benchmarks", "docs", "tests", "*/tests/*", "node_modules", "locale"]


def repository_root() -> Path:
    return Path(settings.BASE_DIR)


def catalogue_languages() -> list[str]:
    """The shipped languages that have a catalogue (English is the source language)."""
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def extract(languages: list[str], *, verbosity: int = 0, follow_symlinks: bool = False) -> None:
    """Run makemessages for `languages` from the repository root (it scans the current folder;
    the check runs it in a scratch folder of symlinks to the code)."""
    previous = Path.cwd()
    os.chdir(repository_root())
    try:
        call_command(
            "makemessages",
            locale=languages,
            domain="django",
            ignore_patterns=IGNORED,
            add_location="file",
            no_obsolete=True,
            symlinks=follow_symlinks,
            verbosity=verbosity,
        )
    finally:
        os.chdir(previous)


def compile_catalogues(*, verbosity: int = 0) -> None:
    call_command(
        "compilemessages",
        locale=catalogue_languages(),
        ignore_patterns=IGNORED[:-1],
        verbosity=verbosity,
    )


class Command(BaseCommand):
    help = "Refresh locale/<language>/LC_MESSAGES/django.po from the code and compile the .mo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--compile-only", action="store_true", help="only compile the .mo")
        parser.add_argument(
            "--check", action="store_true", help="change nothing; fail if a catalogue is stale"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from careloop.core.i18n_catalogues import stale_catalogues

        verbosity = int(options["verbosity"])
        if options["check"]:
            problems = stale_catalogues()
            if problems:
                raise CommandError("\n".join(problems))
            self.stdout.write("catalogues are up to date")
            return
        if not options["compile_only"]:
            extract(catalogue_languages(), verbosity=verbosity)
        compile_catalogues(verbosity=verbosity)
        for language in catalogue_languages():
            self.stdout.write(str(catalogue_path(language).relative_to(repository_root())))
