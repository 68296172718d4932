"""The crisis resources directory: parse the data file and choose what a patient may be shown.

Pure (no Django): the rules here decide what a person in crisis reads, so they are table-tested.

What a patient is shown, in this order (crisis_resources.md, "Show patients only entries that a
human has re-confirmed. Always show the emergency number first."):
1. the country's emergency number, only if the directory marks it verified;
2. the country's crisis lines that are verified in the directory AND confirmed by the patient's
   service for exactly this content (a confirmation lapses when the entry's text changes);
   lines in the patient's language (or with no language stated) first, the rest after.
Field values a verified entry marks "UNVERIFIED:" (or "CONFLICTING:") are never shown to patients.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis_resources.json"

# A value that starts with one of these came only from a secondary source or conflicts.
_UNCONFIRMED_PREFIXES = ("UNVERIFIED", "CONFLICTING")
_DIAL = re.compile(r"^\+?[0-9]{2,15}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LINE_ID = re.compile(r"^[a-z]{2}-[a-z0-9-]{2,70}$")


class DirectoryError(ValueError):
    """The data file is malformed: refuse to load it rather than show a half-read directory."""


def is_confirmed_value(value: str | None) -> bool:
    """True when a field holds a value the source directory did not label UNVERIFIED."""
    return bool(value) and not str(value).upper().startswith(_UNCONFIRMED_PREFIXES)


@dataclass(frozen=True)
class SmsTarget:
    number: str
    body: str | None = None


@dataclass(frozen=True)
class Source:
    url: str
    note: str | None = None


@dataclass(frozen=True)
class EmergencyNumber:
    number: str | None
    dial: tuple[str, ...]
    source_url: str | None
    source_kind: str | None
    verified: bool


@dataclass(frozen=True)
class CrisisLine:
    id: str
    country: str
    name: str
    phone: str | None
    dial: tuple[str, ...]
    sms: str | None
    sms_targets: tuple[SmsTarget, ...]
    chat_url: str | None
    email: str | None
    hours: str | None
    languages: str | None
    language_codes: tuple[str, ...]
    cost: str | None
    source_url: str
    source_kind: str | None
    source_date: str | None
    additional_sources: tuple[Source, ...]
    verified: bool
    notes: str | None
    content_sha256: str  # of the entry as written in the file: what a reviewer confirms

    def speaks(self, language: str) -> bool:
        """Whether the line serves `language` (a BCP 47 tag); no language stated counts as yes."""
        return not self.language_codes or primary_language(language) in self.language_codes

    def patient_value(self, field_name: str) -> str | None:
        """A text field as a patient may see it: None when empty or labelled UNVERIFIED."""
        value = getattr(self, field_name)
        return value if is_confirmed_value(value) else None

    # Read by the templates, which cannot pass arguments.
    @property
    def patient_phone(self) -> str | None:
        return self.patient_value("phone")

    @property
    def patient_sms(self) -> str | None:
        return self.patient_value("sms")

    @property
    def patient_email(self) -> str | None:
        return self.patient_value("email")

    @property
    def patient_hours(self) -> str | None:
        return self.patient_value("hours")

    @property
    def patient_languages(self) -> str | None:
        return self.patient_value("languages")

    @property
    def patient_cost(self) -> str | None:
        return self.patient_value("cost")

    @property
    def patient_chat_url(self) -> str | None:
        url = self.patient_value("chat_url")
        return url if url is not None and url.startswith("https://") else None


@dataclass(frozen=True)
class CountryResources:
    country: str
    country_name: str
    emergency: EmergencyNumber
    lines: tuple[CrisisLine, ...]


@dataclass(frozen=True)
class Directory:
    version: str
    sha256: str  # of the whole file, recorded with every confirmation
    countries: Mapping[str, CountryResources]
    not_covered: Mapping[str, str] = field(default_factory=dict)

    def for_country(self, country: str) -> CountryResources | None:
        return self.countries.get(country.upper())

    def line(self, line_id: str) -> CrisisLine | None:
        return next(
            (line for c in self.countries.values() for line in c.lines if line.id == line_id),
            None,
        )


@dataclass(frozen=True)
class CrisisCard:
    """What one patient sees, already filtered: safe to render as is."""

    country: str
    country_name: str
    emergency: EmergencyNumber | None  # None: no verified number, say "your local number"
    lines: tuple[CrisisLine, ...]  # in the patient's language (or language not stated)
    other_language_lines: tuple[CrisisLine, ...]
    awaiting_review: bool  # verified lines exist that the service has not confirmed


def primary_language(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-")[0]


def entry_sha256(raw_entry: Mapping[str, Any]) -> str:
    canonical = json.dumps(raw_entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is not None and not isinstance(value, str):
        raise DirectoryError(f"{key} must be text or null, not {value!r}")
    return value


def _dials(raw: Mapping[str, Any], where: str) -> tuple[str, ...]:
    dial = raw.get("dial", [])
    if not isinstance(dial, list) or not all(isinstance(d, str) and _DIAL.match(d) for d in dial):
        raise DirectoryError(f"{where}: dial must be a list of digit strings")
    return tuple(dial)


def _parse_line(raw: Mapping[str, Any], country: str) -> CrisisLine:
    line_id = raw.get("id", "")
    if not isinstance(line_id, str) or not _LINE_ID.match(line_id):
        raise DirectoryError(f"{country}: bad line id {line_id!r}")
    if not isinstance(raw.get("verified"), bool) or not isinstance(raw.get("source_url"), str):
        raise DirectoryError(f"{line_id}: every line needs a boolean verified and a source_url")
    return CrisisLine(
        id=line_id,
        country=country,
        name=_text(raw, "name") or "",
        phone=_text(raw, "phone"),
        dial=_dials(raw, line_id),
        sms=_text(raw, "sms"),
        sms_targets=tuple(
            SmsTarget(number=t["number"], body=t.get("body")) for t in raw.get("sms_targets", [])
        ),
        chat_url=_text(raw, "chat_url"),
        email=_text(raw, "email"),
        hours=_text(raw, "hours"),
        languages=_text(raw, "languages"),
        language_codes=tuple(raw.get("language_codes", [])),
        cost=_text(raw, "cost"),
        source_url=raw["source_url"],
        source_kind=_text(raw, "source_kind"),
        source_date=_text(raw, "source_date"),
        additional_sources=tuple(
            Source(url=s["url"], note=s.get("note")) for s in raw.get("additional_sources", [])
        ),
        verified=raw["verified"],
        notes=_text(raw, "notes"),
        content_sha256=entry_sha256(raw),
    )


def _parse_country(raw: Mapping[str, Any]) -> CountryResources:
    code = raw.get("country", "")
    if not isinstance(code, str) or not _COUNTRY.match(code):
        raise DirectoryError(f"bad country code {code!r}")
    emergency = raw.get("emergency") or {}
    if not isinstance(emergency.get("verified"), bool):
        raise DirectoryError(f"{code}: emergency.verified must be true or false")
    return CountryResources(
        country=code,
        country_name=_text(raw, "country_name") or code,
        emergency=EmergencyNumber(
            number=_text(emergency, "number"),
            dial=_dials(emergency, f"{code} emergency"),
            source_url=_text(emergency, "source_url"),
            source_kind=_text(emergency, "source_kind"),
            verified=emergency["verified"],
        ),
        lines=tuple(_parse_line(line, code) for line in raw.get("lines", [])),
    )


def parse_directory(content: bytes) -> Directory:
    """Parse and check the data file; any malformed part rejects the whole file."""
    try:
        raw = json.loads(content.decode("utf-8"))
        countries = [_parse_country(c) for c in raw["countries"]]
        version = raw["version"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as e:
        raise DirectoryError(f"crisis resources file is malformed: {e}") from e
    by_code = {c.country: c for c in countries}
    ids = [line.id for c in countries for line in c.lines]
    if len(by_code) != len(countries) or len(set(ids)) != len(ids):
        raise DirectoryError("country codes and line ids must be unique")
    return Directory(
        version=str(version),
        sha256=hashlib.sha256(content).hexdigest(),
        countries=by_code,
        not_covered={n["country"]: n["reason"] for n in raw.get("not_covered", [])},
    )


def load_directory(path: Path = DATA_FILE) -> Directory:
    return parse_directory(path.read_bytes())


def crisis_card(
    directory: Directory,
    *,
    country: str,
    language: str,
    confirmed: Collection[tuple[str, str]],
) -> CrisisCard:
    """What a patient in `country` who reads `language` is shown.

    `confirmed` holds (line id, content hash) pairs the service's safety lead confirmed. A line is
    shown only if it is verified in the directory and confirmed for its current content.
    """
    resources = directory.for_country(country)
    if resources is None:
        return CrisisCard(country.upper(), country.upper(), None, (), (), awaiting_review=False)
    verified = [line for line in resources.lines if line.verified]
    shown = [line for line in verified if (line.id, line.content_sha256) in confirmed]
    return CrisisCard(
        country=resources.country,
        country_name=resources.country_name,
        emergency=resources.emergency if _showable(resources.emergency) else None,
        lines=tuple(line for line in shown if line.speaks(language)),
        other_language_lines=tuple(line for line in shown if not line.speaks(language)),
        awaiting_review=len(shown) < len(verified),
    )


def _showable(emergency: EmergencyNumber) -> bool:
    return emergency.verified and bool(emergency.dial) and is_confirmed_value(emergency.number)


def plain_message(card: CrisisCard) -> str:
    """The sentence shown under the helplines (English; the server page translates its own)."""
    call = f"call {card.emergency.number}" if card.emergency else "call your local emergency number"
    if card.lines or card.other_language_lines:
        return "Your care service has checked these helplines."
    if card.awaiting_review:
        return (
            "Your care service has not yet checked the helplines for your area, so they are not "
            f"shown here yet. If you need help now, {call} or contact your care team."
        )
    return (
        "We do not have checked helplines for your country yet. If you need help now, "
        f"{call} or contact your care team."
    )
