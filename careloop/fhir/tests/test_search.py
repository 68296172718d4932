"""Search parameter parsing (pure): date prefixes over implicit ranges, tokens, paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from careloop.fhir.search.params import (
    MAX_PAGE_SIZE,
    SearchError,
    date_condition,
    parse_search,
    reference_id,
    token,
)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "lower", "upper", "negate"),
    [
        ("2026-03", at(2026, 3, 1), at(2026, 4, 1), False),
        ("eq2026-12", at(2026, 12, 1), at(2027, 1, 1), False),
        ("ne2026", at(2026, 1, 1), at(2027, 1, 1), True),
        ("ge2026-03-02", at(2026, 3, 2), None, False),
        ("gt2026-03-02", at(2026, 3, 3), None, False),
        ("le2026-03-02", None, at(2026, 3, 3), False),
        ("lt2026-03-02", None, at(2026, 3, 2), False),
        ("sa2026", at(2027, 1, 1), None, False),
        ("eb2026", None, at(2026, 1, 1), False),
        ("ge2026-03-02T10:00:00+02:00", at(2026, 3, 2, 8), None, False),
        ("2026-03-02T10:00", at(2026, 3, 2, 10), at(2026, 3, 2, 10, 1), False),
        (
            "ge2016-12-31T23:59:60Z",
            at(2016, 12, 31, 23, 59) + timedelta(seconds=59.999999),
            None,
            False,
        ),  # a leap second
    ],
)
def test_date_prefixes_apply_to_the_values_implicit_range(text, lower, upper, negate) -> None:
    condition = date_condition(text)
    assert (condition.lower, condition.upper, condition.negate) == (lower, upper, negate)


@pytest.mark.parametrize("text", ["ap2026", "2026-13", "yesterday", "ge", "2026-02-30"])
def test_unusable_dates_are_refused(text) -> None:
    with pytest.raises(SearchError):
        date_condition(text)


def test_tokens_and_references() -> None:
    assert token("http://loinc.org|44261-6").system == "http://loinc.org"
    assert token("44261-6").system is None
    assert reference_id("Patient/abc", "Patient") == "abc"
    assert reference_id("https://x/fhir/r4/Patient/abc", "Patient") == "abc"
    assert reference_id("Group/abc", "Patient") == ""


def test_paging_sorting_and_unknown_parameters() -> None:
    search = parse_search("Observation", {"_count": ["500"], "_offset": ["40"], "_sort": ["-date"]})
    assert (search.count, search.offset, search.sort) == (MAX_PAGE_SIZE, 40, (("date", True),))
    with pytest.raises(SearchError, match="colour"):
        parse_search("Observation", {"colour": ["red"]}, strict=True)
    assert parse_search("Observation", {"colour": ["red"]}).ignored == ("colour",)
    with pytest.raises(SearchError, match="whole number"):
        parse_search("Observation", {"_count": ["-1"]})
    with pytest.raises(SearchError, match="sort"):
        parse_search("Observation", {"_sort": ["name"]})
    with pytest.raises(SearchError, match="_include"):
        parse_search("Observation", {"_include": ["Observation:performer"]})
