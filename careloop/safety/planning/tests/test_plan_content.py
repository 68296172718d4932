"""What a saved safety plan may contain: the six Stanley–Brown steps plus the labelled extra."""

from __future__ import annotations

import pytest

from careloop.safety.planning.plan_content import (
    MAX_ITEMS_PER_SECTION,
    SECTION_KEYS,
    SECTIONS,
    InvalidPlan,
    normalise_content,
)


def test_the_six_stanley_brown_steps_in_order_then_the_optional_extra() -> None:
    assert [s.step for s in SECTIONS] == [1, 2, 3, 4, 5, 6, None]
    assert SECTION_KEYS[-1] == "reasons_for_living"
    extra = SECTIONS[-1]
    assert not extra.is_original_spi and "UNVERIFIED" in extra.spec_wording
    assert all(s.is_original_spi for s in SECTIONS[:6])
    assert [s.takes_phone for s in SECTIONS[:6]] == [False, False, True, True, True, False]


def test_content_is_normalised_blank_entries_dropped_missing_sections_empty() -> None:
    content = normalise_content(
        {
            "warning_signs": [{"text": "  can't   sleep "}, {"text": ""}],
            "people_to_ask_for_help": [{"text": "Mum", "phone": "+44 7700 900123"}],
        }
    )
    assert content["schema"] == 1
    assert content["sections"]["warning_signs"] == [{"text": "can't sleep"}]
    assert content["sections"]["people_to_ask_for_help"] == [
        {"text": "Mum", "phone": "+44 7700 900123"}
    ]
    assert content["sections"]["internal_coping"] == []
    assert set(content["sections"]) == set(SECTION_KEYS)


@pytest.mark.parametrize(
    ("sections", "fragment"),
    [
        ("not a mapping", "sections must map"),
        ({"favourite_food": []}, "unknown section"),
        ({"warning_signs": "sad"}, "expected a list"),
        ({"warning_signs": ["sad"]}, "each entry"),
        ({"warning_signs": [{"text": "x", "colour": "red"}]}, "each entry"),
        ({"warning_signs": [{"text": 7}]}, "expected text"),
        ({"warning_signs": [{"text": "x" * 301}]}, "under 300"),
        ({"warning_signs": [{"text": "bell\x07"}]}, "cannot be saved"),
        ({"warning_signs": [{"text": "x", "phone": "123"}]}, "steps 3 to 5"),
        ({"people_to_ask_for_help": [{"text": "Mum", "phone": "call me"}]}, "phone number"),
        ({"people_to_ask_for_help": [{"text": "", "phone": "0123 456"}]}, "add a name"),
        ({"internal_coping": [{"text": "walk"}] * (MAX_ITEMS_PER_SECTION + 1)}, "at most"),
    ],
)
def test_bad_content_is_refused_with_a_message_naming_the_problem(sections, fragment) -> None:
    with pytest.raises(InvalidPlan, match=fragment):
        normalise_content(sections)
