"""Evidence spans point at exactly the characters they quote, whatever the text looks like."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careloop.safety.text import Level, Source, TextScreen, screen_text

TEXTS = [
    "Hello 😀. I don’t want to live anymore.",
    "First line\r\nSecond line: I want to die\r\nthird line",
    "Ünïcödé ok… I’m going to kill myself tonight! Really.",
    "Ya no aguanto más. ¿Por qué quiero morirme? Intenté suicidarme hace años.",
    "I’m fine.\n\n\nMy friend’s brother is suicidal; I worry.",
    "a" * 900 + " I want to die " + "b" * 900,
]


def assert_spans_match(text: str, screen: TextScreen) -> None:
    for span in screen.evidence:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.matched


@pytest.mark.usefixtures("rules_only")
@pytest.mark.parametrize("text", TEXTS)
def test_rule_spans_quote_the_original_text(text: str) -> None:
    screen = screen_text(text)
    assert screen.evidence, "every text in the table holds crisis language"
    assert_spans_match(text, screen)


@pytest.mark.usefixtures("rules_only")
def test_span_offsets_are_exact_after_emoji_and_typographic_apostrophes() -> None:
    text = TEXTS[0]
    [span] = screen_text(text).evidence
    assert (span.start, span.end) == (text.index("don’t"), text.index("anymore") - 1)
    assert span.matched == "don’t want to live"
    assert span.rule_id == "en.passive_ideation.not_want_to_live"


@pytest.mark.usefixtures("rules_only")
def test_every_flag_is_explained_by_a_span_carrying_the_score() -> None:
    for text in TEXTS:
        screen = screen_text(text)
        assert screen.level is not Level.NONE
        assert max(span.weight for span in screen.evidence) == screen.score


@pytest.mark.usefixtures("rules_only")
def test_result_is_json_serialisable_and_names_version_and_model() -> None:
    data = screen_text("I want to die.").as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["detector_version"].startswith("crisis-text@")
    assert data["model"] == "unavailable"
    assert data["evidence"][0] == {
        "start": 2,
        "end": 13,
        "text": "want to die",
        "construct": "passive_ideation",
        "source": "rule",
        "qualifiers": [],
        "weight": 0.5,
        "rule_id": "en.passive_ideation.want_to_die",
    }


@pytest.mark.usefixtures("rules_only")
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=300))
def test_any_text_screens_with_valid_spans(text: str) -> None:
    screen = screen_text(text)
    assert 0.0 <= screen.score <= 1.0
    assert_spans_match(text, screen)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    phrase=st.sampled_from(["I want to die", "quiero morirme", "I tried to kill myself"]),
)
def test_a_crisis_phrase_is_found_wherever_it_sits(
    rules_only: None, prefix: str, phrase: str
) -> None:
    text = f"{prefix}. {phrase}."
    screen = screen_text(text)
    phrase_start = len(prefix) + 2
    assert any(
        span.source is Source.RULE
        and span.start >= phrase_start
        and span.matched.lower() in phrase.lower()
        for span in screen.evidence
    )
    assert_spans_match(text, screen)


def test_exemplar_spans_quote_whole_sentences(model_index: object) -> None:
    for text in TEXTS:
        screen = screen_text(text)
        assert_spans_match(text, screen)
        for span in screen.evidence:
            if span.source is Source.EXEMPLAR:
                assert span.exemplar_id and span.similarity is not None
                assert -1.0 <= span.similarity <= 1.0
