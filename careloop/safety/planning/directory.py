"""The crisis resources directory: parse the data file and choose what a patient may be shown.

Pure (no Django): the rules here decide what a person in crisis reads, so they are table-tested.

What a patient is shown, in this order (crisis_resources.md, "Show patients only entries that a
human has re-confirmed. Always show the emergency number first."):
1. the country's emergency number, only if the directory marks it verified;
2. the country's crisis lines that are verified in the directory AND confirmed by the patient's
   service for exactly this content (a confirmation lapses when the entry's text changes);
   lines in the patient's language (or with no language stated) first, the rest after;
3. on the public crisis page only (`include_directory_lines`): the country's other verified lines,
   from the shipped directory, each with the date it was checked (`verified_as_of`).
Field values a verified entry marks "UNVERIFIED:" (or "CONFLICTING:") are never shown to patients,
and an entry the directory does not mark verified is never shown at all.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "crisis_resources.json"

# A value that starts with one of these came only from a secondary source or conflicts.
_UNCONFIRMED_PREFIXES = ("UNVERIFIED", "CONFLICTING")
_DIAL = re.compile(r"^\+?[0-9]{2,15}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LINE_ID = re.compile(r"^[a-z]{2}-[a-z0-9-]{2,70}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Not part of what a safety lead confirms: re-checking an entry and changing nothing else must not
# lapse every service's confirmation of it.
_NOT_HASHED = frozenset({"verified_as_of"})


class DirectoryError(ValueError):
    """The data file is malformed: refuse to load it rather than show a half-read directory."""


def is_confirmed_value(value: str | None) -> bool:
    """True when a field holds a value the source directory did not label UNVERIFIED."""
    return bool(value) and not str(value).upper().startswith(_UNCONFIRMED_PREFIXES)


def spoken_digits(number: str) -> str:
    """A number as a screen reader should say it: digit by digit ("116123" -> "1 1 6 1 2 3"),
    not as one large number."""
    return " ".join(ch for ch in number if ch.isdigit() or ch == "+")


_WRITTEN_NUMBER = re.compile(r"^\+?[0-9][0-9 ]*$")


def _dial_links(dial: tuple[str, ...], written: str | None) -> tuple[tuple[str, str, str], ...]:
    """Each number to dial, shown as the directory writes it ("116 123") when that is just the
    number with spaces, else as its digits (a text like "111 (then select option 2)" is not)."""
    as_written = (
        written
        if len(dial) == 1
        and written
        and _WRITTEN_NUMBER.match(written)
        and written.replace(" ", "") == dial[0]
        else None
    )
    return tuple((d, spoken_digits(d), as_written or d) for d in dial)


@dataclass(frozen=True)
class SmsTarget:
    number: str
    body: str | None = None

    @property
    def spoken(self) -> str:
        return spoken_digits(self.number)


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
    verified_as_of: str | None = None  # ISO date the entry was last checked against its source

    @property
    def dial_links(self) -> tuple[tuple[str, str, str], ...]:
        """(digits for tel:, the digits spaced for screen readers, the number as written)."""
        return _dial_links(self.dial, self.number)

    @property
    def checked_on(self) -> date | None:
        return date.fromisoformat(self.verified_as_of) if self.verified_as_of else None


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
    verified_as_of: str | None = None  # ISO date the entry was last checked against its source

    @property
    def dial_links(self) -> tuple[tuple[str, str, str], ...]:
        """(digits for tel:, the digits spaced for screen readers, the number as written)."""
        return _dial_links(self.dial, self.patient_phone)

    @property
    def checked_on(self) -> date | None:
        return date.fromisoformat(self.verified_as_of) if self.verified_as_of else None

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
    # Countries of a shipped language with no block: code -> name (nothing about them is checked).
    no_entry: Mapping[str, str] = field(default_factory=dict)
    shipped_language_countries: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    not_covered_names: Mapping[str, str] = field(default_factory=dict)

    def for_country(self, country: str) -> CountryResources | None:
        return self.countries.get(country.upper())

    def country_names(self) -> dict[str, str]:
        """Every country the crisis page can be set to, code -> English name, sorted by name."""
        names = {**self.no_entry, **self.not_covered_names}
        names.update({code: c.country_name for code, c in self.countries.items()})
        return dict(sorted(names.items(), key=lambda item: item[1]))

    def knows(self, country: str) -> bool:
        return country.upper() in self.country_names()

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
    # Public page only: verified lines of the shipped directory the service has not confirmed
    # (yet), the reader's language first. Each carries its source and the date it was checked.
    directory_lines: tuple[CrisisLine, ...] = ()

    @property
    def emergency_checked_on(self) -> str | None:
        return self.emergency.verified_as_of if self.emergency else None


def primary_language(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-")[0]


def entry_sha256(raw_entry: Mapping[str, Any]) -> str:
    hashed = {key: value for key, value in raw_entry.items() if key not in _NOT_HASHED}
    canonical = json.dumps(hashed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
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


def _checked_on(raw: Mapping[str, Any], where: str, *, verified: bool) -> str | None:
    """A verified entry must say when it was checked (an ISO date) and where (an https page)."""
    checked = raw.get("verified_as_of")
    if not verified:
        return None
    if not isinstance(checked, str) or not _ISO_DATE.match(checked):
        raise DirectoryError(f"{where}: a verified entry needs verified_as_of (YYYY-MM-DD)")
    source = raw.get("source_url")
    if not isinstance(source, str) or not source.startswith(("https://", "http://")):
        raise DirectoryError(f"{where}: a verified entry needs a source_url")
    return checked


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
        verified_as_of=_checked_on(raw, line_id, verified=raw["verified"]),
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
            verified_as_of=_checked_on(
                emergency, f"{code} emergency", verified=emergency["verified"]
            ),
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
        not_covered_names={
            n["country"]: n.get("country_name") or n["country"] for n in raw.get("not_covered", [])
        },
        no_entry={n["country"]: n["country_name"] for n in raw.get("no_entry", [])},
        shipped_language_countries={
            language: tuple(codes)
            for language, codes in raw.get("shipped_language_countries", {}).items()
        },
    )


def load_directory(path: Path = DATA_FILE) -> Directory:
    return parse_directory(path.read_bytes())


def crisis_card(
    directory: Directory,
    *,
    country: str,
    language: str,
    confirmed: Collection[tuple[str, str]],
    include_directory_lines: bool = False,
    withdrawn: Collection[str] = (),
) -> CrisisCard:
    """What a patient in `country` who reads `language` is shown.

    `confirmed` holds (line id, content hash) pairs the service's safety lead confirmed. A line is
    shown as the service's only if it is verified in the directory and confirmed for its current
    content. With `include_directory_lines` (the public crisis page), the country's other verified
    lines follow, as the shipped directory's, dated: never an unverified one, nor one whose
    confirmation the service `withdrawn` (its safety lead said to stop showing it).
    """
    resources = directory.for_country(country)
    if resources is None:
        name = directory.country_names().get(country.upper(), country.upper())
        return CrisisCard(country.upper(), name, None, (), (), awaiting_review=False)
    verified = [line for line in resources.lines if line.verified]
    shown = [line for line in verified if (line.id, line.content_sha256) in confirmed]
    rest = [
        line
        for line in verified
        if include_directory_lines and line not in shown and line.id not in withdrawn
    ]
    return CrisisCard(
        country=resources.country,
        country_name=resources.country_name,
        emergency=resources.emergency if _showable(resources.emergency) else None,
        lines=tuple(line for line in shown if line.speaks(language)),
        other_language_lines=tuple(line for line in shown if not line.speaks(language)),
        awaiting_review=len(shown) < len(verified),
        directory_lines=tuple(sorted(rest, key=lambda line: not line.speaks(language))),
    )


_ACCEPT_PART = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$"
)


def country_from_accept_language(header: str, known: Collection[str]) -> str | None:
    """The country of the browser's most preferred language tag that names one we know
    ("es-MX,es;q=0.9" -> "MX"); None when no tag names a known country. A region code is a
    2-letter subtag after the language (es-419, a UN region, names no country)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        match = _ACCEPT_PART.match(part)
        if not match:
            continue
        try:
            weight = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        if weight <= 0:
            continue
        for subtag in match.group(1).split("-")[1:]:
            if len(subtag) == 2 and subtag.isalpha():
                ranked.append((-weight, position, subtag.upper()))
                break
    for _, _, code in sorted(ranked):
        if code in known:
            return code
    return None


def _showable(emergency: EmergencyNumber) -> bool:
    return emergency.verified and bool(emergency.dial) and is_confirmed_value(emergency.number)


def plain_message(card: CrisisCard) -> str:
    """The sentence shown under the helplines (English; the server page translates its own)."""
    call = f"call {card.emergency.number}" if card.emergency else "call your local emergency number"
    if card.lines or card.other_language_lines:
        return "Your care service has checked these helplines."
    if card.directory_lines:
        return (
            "We checked these helplines on the date shown with each one. If you need help now, "
            f"{call} or contact your care team."
        )
    if card.awaiting_review:
        return (
            "Your care service has not yet checked the helplines for your area, so they are not "
            f"shown here yet. If you need help now, {call} or contact your care team."
        )
    return (
        "We do not have checked helplines for your country yet. If you need help now, "
        f"{call} or contact your care team."
    )
