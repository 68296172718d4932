"""The crisis directory: faithful to the reviewed source, and the patient sees only what is safe."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from careloop.safety.planning.directory import (
    DATA_FILE,
    DirectoryError,
    crisis_card,
    is_confirmed_value,
    load_directory,
    parse_directory,
    plain_message,
)

SOURCE = Path(__file__).resolve().parents[4].parent / "shared" / "reference" / "crisis_resources.md"
DIRECTORY = load_directory()


def _digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def _source_lines() -> dict[str, bool]:
    """Each line name in the reviewed markdown with its `verified` flag (read without YAML)."""
    found: dict[str, bool] = {}
    for block in re.findall(r"```yaml\n(.*?)```", SOURCE.read_text(encoding="utf-8"), re.S):
        for chunk in block.split("\n  - name: ")[1:]:
            name = chunk.split("\n", 1)[0].strip().strip('"')
            found[name] = re.search(r"\n    verified: (true|false)", chunk).group(1) == "true"
    return found


def _all_lines():
    return [line for country in DIRECTORY.countries.values() for line in country.lines]


def test_every_line_of_the_source_is_in_the_file_with_the_same_verified_flag() -> None:
    in_file = {line.name: line.verified for line in _all_lines()}
    assert in_file == _source_lines()
    assert sum(in_file.values()) == 12  # verified lines in the draft of 2026-11-25


def test_every_number_is_copied_from_the_source_never_invented() -> None:
    source = SOURCE.read_text(encoding="utf-8")
    for line in _all_lines():
        for text in (line.phone, line.sms):
            assert text is None or f'"{text}"' in source or f": {text}\n" in source, text
        for dial in line.dial:
            assert _digits(dial) in _digits(line.phone or ""), (line.id, dial)
        for target in line.sms_targets:
            assert _digits(target.number) in _digits(line.sms or ""), (line.id, target)
    for country in DIRECTORY.countries.values():
        emergency = country.emergency
        assert emergency.number is None or f'emergency_number: "{emergency.number}"' in source
        for dial in emergency.dial:
            assert _digits(dial) in _digits(emergency.number or ""), country.country


def test_data_file_has_version_hash_and_the_countries_the_source_could_not_cover() -> None:
    assert DIRECTORY.version
    assert len(DIRECTORY.sha256) == 64
    assert set(DIRECTORY.not_covered) == {"MA", "EG", "SA", "JO"}
    assert DIRECTORY.for_country("gb") is not None


def _gb_confirmed_all() -> frozenset[tuple[str, str]]:
    return frozenset((line.id, line.content_sha256) for line in DIRECTORY.countries["GB"].lines)


def test_unverified_lines_are_never_shown_even_when_marked_confirmed() -> None:
    card = crisis_card(DIRECTORY, country="GB", language="en", confirmed=_gb_confirmed_all())
    shown = [line.id for line in card.lines + card.other_language_lines]
    assert shown == ["gb-samaritans", "gb-nhs-111-mental-health"]
    assert "gb-shout" not in shown  # verified: false in the source


def test_nothing_confirmed_means_only_the_emergency_number() -> None:
    card = crisis_card(DIRECTORY, country="GB", language="en", confirmed=frozenset())
    assert card.emergency is not None and card.emergency.dial == ("999",)
    assert card.lines == () and card.other_language_lines == ()
    assert card.awaiting_review
    assert "not yet checked" in plain_message(card) and "call 999" in plain_message(card)


def test_a_confirmation_lapses_when_the_entry_text_changes() -> None:
    samaritans = DIRECTORY.line("gb-samaritans")
    assert samaritans is not None
    stale = frozenset({(samaritans.id, "0" * 64)})
    card = crisis_card(DIRECTORY, country="GB", language="en", confirmed=stale)
    assert card.lines == ()


def test_unverified_emergency_number_is_not_shown() -> None:
    ireland = DIRECTORY.countries["IE"]
    assert ireland.emergency.verified is False
    confirmed = frozenset((line.id, line.content_sha256) for line in ireland.lines)
    card = crisis_card(DIRECTORY, country="IE", language="en", confirmed=confirmed)
    assert card.emergency is None
    assert [line.id for line in card.lines] == ["ie-samaritans"]
    unreviewed = crisis_card(DIRECTORY, country="IE", language="en", confirmed=frozenset())
    assert "call your local emergency number" in plain_message(unreviewed)
    assert "112" not in plain_message(unreviewed)


@pytest.mark.parametrize(
    ("language", "first", "other"),
    [
        ("en", ["us-988-lifeline"], []),
        ("es-MX", ["us-988-lifeline"], []),
        ("de", [], ["us-988-lifeline"]),  # still shown, under "other languages"
    ],
)
def test_lines_in_the_patient_language_come_first(language, first, other) -> None:
    confirmed = frozenset(
        (line.id, line.content_sha256) for line in DIRECTORY.countries["US"].lines
    )
    card = crisis_card(DIRECTORY, country="US", language=language, confirmed=confirmed)
    assert [line.id for line in card.lines] == first
    assert [line.id for line in card.other_language_lines] == other


def test_country_without_a_block_gets_no_number_and_a_plain_message() -> None:
    card = crisis_card(DIRECTORY, country="MA", language="ar", confirmed=frozenset())
    assert card.emergency is None and card.lines == () and not card.awaiting_review
    assert "do not have checked helplines" in plain_message(card)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("24/7", True),
        ("UNVERIFIED: free / toll-free", False),
        ("CONFLICTING: 8:30am to 5:30am", False),
        (None, False),
        ("", False),
    ],
)
def test_field_values_labelled_unverified_are_hidden_from_patients(value, shown) -> None:
    assert is_confirmed_value(value) is shown


def test_unverified_chat_url_inside_a_verified_entry_is_not_linked() -> None:
    lifeline = DIRECTORY.line("au-lifeline")
    assert lifeline is not None and lifeline.verified
    assert lifeline.chat_url is not None and lifeline.chat_url.startswith("UNVERIFIED")
    assert lifeline.patient_chat_url is None
    canada = DIRECTORY.line("ca-988-suicide-crisis-helpline")
    assert canada is not None and canada.patient_cost is None  # "UNVERIFIED: free ..."


def _raw() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["countries"][0]["lines"][0].pop("verified"),
        lambda d: d["countries"][0]["lines"][0].__setitem__("verified", "yes"),
        lambda d: d["countries"][0]["lines"][0].__setitem__("dial", ["call 988"]),
        lambda d: d["countries"][0]["lines"][0].__setitem__("id", "Not An Id"),
        lambda d: d["countries"][1].__setitem__("country", "US"),  # duplicate country
        lambda d: d["countries"][0]["emergency"].pop("verified"),
        lambda d: d.pop("version"),
    ],
)
def test_a_malformed_data_file_is_refused_whole(breakage) -> None:
    data = _raw()
    breakage(data)
    with pytest.raises(DirectoryError):
        parse_directory(json.dumps(data).encode())


def test_entry_hash_changes_with_any_field() -> None:
    data = _raw()
    before = parse_directory(json.dumps(data).encode()).line("gb-samaritans")
    data["countries"][2]["lines"][0]["hours"] = "9 to 5"
    after = parse_directory(json.dumps(data).encode()).line("gb-samaritans")
    assert before is not None and after is not None
    assert before.content_sha256 != after.content_sha256
    assert replace(after, content_sha256=before.content_sha256, hours=before.hours) == before
