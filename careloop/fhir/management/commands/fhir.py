"""`careloop fhir import FILE…`: load FHIR transaction bundles into a service.

Support bundles (no Patient: Organizations, Locations, Practitioners) are loaded first whatever
the order given, so the patient bundles' conditional references resolve. Each bundle is one
transaction; a rejected bundle (unreadable file, not JSON, not a Bundle, invalid resources,
duplicate fullUrls, a bad total…) prints one line with every reason found, nothing of it is
written, and the command exits non-zero after trying the rest. Bundles are named by position and
SHA-256, never by file name: Synthea file names carry patient names, and names are never logged.
"""

from __future__ import annotations

import hashlib
import json
from argparse import ArgumentParser
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from careloop.core.limits import JsonTooDeep, loads_bounded
from careloop.fhir.importer.bundles import BundleRejected
from careloop.fhir.importer.filing import (
    DEFAULT_TEAM_NAME,
    TEEN_SKIP_REASON,
    ImportReport,
    ensure_import_target,
    import_bundle,
)


@dataclass(frozen=True)
class _BundleFile:
    position: int  # 1-based position on the command line
    fingerprint: str  # "sha256:<hex>"
    data: Any

    @property
    def label(self) -> str:
        return f"FILE #{self.position} ({self.fingerprint[:19]}…)"

    @property
    def is_support(self) -> bool:
        """No Patient entry. Read leniently: the bundle has not been validated yet."""
        entries = self.data.get("entry") if isinstance(self.data, dict) else None
        return isinstance(entries, list) and not any(
            isinstance(entry, dict)
            and isinstance(entry.get("resource"), dict)
            and entry["resource"].get("resourceType") == "Patient"
            for entry in entries
        )


class _Unreadable(Exception):
    """The file is not a JSON document that could be a bundle."""


class Command(BaseCommand):
    help = "FHIR interoperability commands (import)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        importing = commands.add_parser("import", help="load FHIR transaction/batch bundles")
        importing.add_argument("files", nargs="+", type=Path, metavar="FILE")
        importing.add_argument("--service", required=True, help="target service slug")
        importing.add_argument("--team", default=DEFAULT_TEAM_NAME, help="care team for patients")

    def handle(self, *args: Any, **options: Any) -> None:
        bundles, rejected = [], 0
        for position, path in enumerate(options["files"], 1):
            try:
                bundles.append(_load(position, path))
            except _Unreadable as error:
                rejected += 1
                self._reject(f"FILE #{position}", [str(error)])
        # Support bundles first: patient bundles point at them with conditional references.
        bundles.sort(key=lambda bundle: not bundle.is_support)
        team = ensure_import_target(options["service"], options["team"])
        reports = []
        for bundle in bundles:
            try:
                report = import_bundle(bundle.data, team=team, source_bundle=bundle.fingerprint)
            except BundleRejected as error:
                rejected += 1
                self._reject(bundle.label, error.issues)
                continue
            reports.append(report)
            self.stdout.write(f"imported {bundle.label}: {_line(report)}")
        self.stdout.write(_summary(reports, rejected))
        if rejected:
            raise CommandError(f"{rejected} bundle(s) rejected")

    def _reject(self, label: str, issues: list[str]) -> None:
        """One line per rejected bundle: every reason, whitespace folded (R4B's messages wrap)."""
        reasons = "; ".join(" ".join(issue.split()) for issue in issues)
        self.stderr.write(f"REJECTED {label}, nothing written: {reasons}")


def _load(position: int, path: Path) -> _BundleFile:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _Unreadable(f"cannot read the file ({error.strerror or error})") from None
    try:
        # Depth-checked before parsing: the parser and the R4B models recurse once per level.
        data = loads_bounded(raw.decode("utf-8"), settings.JSON_MAX_DEPTH)
    except JsonTooDeep as error:
        raise _Unreadable(str(error)) from None
    except UnicodeDecodeError:
        raise _Unreadable("not UTF-8 text, so not a FHIR JSON bundle") from None
    except json.JSONDecodeError as error:
        raise _Unreadable(f"malformed JSON ({error})") from None
    except RecursionError:
        raise _Unreadable("malformed JSON (nested too deeply)") from None
    return _BundleFile(position, f"sha256:{hashlib.sha256(raw).hexdigest()}", data)


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counter.items())) or "none"


def _line(report: ImportReport) -> str:
    return (
        f"patients new {report.patients_created}, existing {report.patients_existing}; "
        f"support identities {report.support_identities}; "
        f"totals {_counts(report.totals_imported)}; "
        f"already imported {_counts(report.totals_already_imported)}; "
        f"skipped {_counts(report.skipped)}"
    )


def _summary(reports: list[ImportReport], rejected: int) -> str:
    imported: Counter[str] = Counter()
    again: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for report in reports:
        imported += report.totals_imported
        again += report.totals_already_imported
        skipped += report.skipped
    lines = [
        f"bundles: {len(reports)} imported, {rejected} rejected",
        f"patients created: {sum(r.patients_created for r in reports)}",
        f"totals imported: {_counts(imported)}",
        f"totals already present (re-import): {_counts(again)}",
        f"skipped: {_counts(skipped)}",
    ]
    if skipped.get("phq9_teen"):
        lines.append(f"  phq9_teen: {TEEN_SKIP_REASON}")
    return "\n".join(lines)
