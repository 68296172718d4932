"""The full detector with the model: it can raise what the rules miss, never lower what they
found, and it keeps the rules' hedges (negation, someone else, the past)."""

from __future__ import annotations

import pytest

from careloop.safety.text import Level, Source, screen_text, semantic
from careloop.safety.text.tests.conftest import forget_the_model
from careloop.safety.text.tests.test_rules import ENGLISH, SPANISH

ORDER = [Level.NONE, Level.LOW, Level.MODERATE, Level.HIGH]


def test_the_model_never_lowers_what_the_rules_found(
    model_index: semantic.SentenceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [row[0] for row in (*ENGLISH, *SPANISH)]
    with_model = {text: screen_text(text) for text in texts}
    monkeypatch.setenv(semantic.KILL_SWITCH, "off")
    forget_the_model(monkeypatch)
    for text in texts:
        rules_only = screen_text(text)
        assert rules_only.model == "unavailable"
        assert with_model[text].score >= rules_only.score, text
        assert ORDER.index(with_model[text].level) >= ORDER.index(rules_only.level), text


@pytest.mark.parametrize(
    "text",
    [
        "I would never kill myself.",
        "I'm not suicidal, just tired of my job.",
        "My friend wants to die and I don't know how to help her.",
        "No quiero morir.",
        "I used to think about suicide when I was a teenager.",
    ],
)
def test_hedged_sentences_stay_below_the_alert_with_the_model(
    model_index: semantic.SentenceIndex, text: str
) -> None:
    screen = screen_text(text)
    assert screen.level in (Level.NONE, Level.LOW), screen.as_dict()


@pytest.mark.parametrize(
    "text",
    [
        "Everyone would be happier if I simply was not around anymore.",
        "I am so done with everything, I just want it all to stop for good.",
        "Tonight is the night, I have said my goodbyes.",
    ],
)
def test_the_model_flags_crisis_talk_the_rules_do_not_know(
    model_index: semantic.SentenceIndex, text: str
) -> None:
    screen = screen_text(text)
    assert screen.should_alert, screen.as_dict()
    assert any(span.source is Source.EXEMPLAR for span in screen.evidence)
    assert screen.model.startswith("USE multilingual v3")


def test_everyday_text_does_not_alert_with_the_model(model_index: semantic.SentenceIndex) -> None:
    for text in [
        "I had pizza for lunch and then went to the gym.",
        "The meeting moved to Thursday; can you bring the report?",
        "Mañana voy a la playa con mis amigos.",
    ]:
        assert not screen_text(text).should_alert, text
