"""Every language the patient app ships is screened by tested means (issue #18 item 13).

fixtures/languages.jsonl: short sentences we wrote in en, es, fr, pt, de and ar, each with the
expected outcome ("high", "alert" = moderate or high, "no_alert"): ideation, plans with a time,
farewells, and negations, idioms, someone else's risk, everyday text and helper talk.
fixtures/unscreened.jsonl: languages the detector does not cover; never "none".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careloop.safety.text import Level, screen_text, semantic
from careloop.safety.text.language import SCREENED, detect

FIXTURES = Path(__file__).parent / "fixtures"


def _rows(name: str) -> list[dict[str, str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


LANGUAGES = _rows("languages.jsonl")
UNSCREENED = _rows("unscreened.jsonl")


# Known false alarm, kept visible (strict: it fails the day it is fixed, to update the doc).
KNOWN_FALSE_ALARMS = {"lang-043"}  # "Esse trânsito está me matando." (hyperbole, model 0.48)


def _param(row: dict[str, str]) -> object:
    marks = [pytest.mark.xfail(strict=True, reason="known false alarm")]
    return pytest.param(
        row,
        id=f"{row['id']}-{row['language']}",
        marks=marks if row["id"] in KNOWN_FALSE_ALARMS else [],
    )


@pytest.mark.parametrize("row", [_param(r) for r in LANGUAGES])
def test_each_language_with_the_model(
    model_index: semantic.SentenceIndex, row: dict[str, str]
) -> None:
    screen = screen_text(row["text"])
    expected = row["expect"]
    if expected == "high":
        assert screen.level is Level.HIGH, screen.as_dict()
    elif expected == "alert":
        assert screen.should_alert, screen.as_dict()
    else:
        assert not screen.should_alert, screen.as_dict()
    assert screen.screened


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("أريد أن أقتل نفسي", Level.MODERATE),  # Arabic "I want to kill myself": was none (0.10)
        ("سأنتحر الليلة", Level.HIGH),
        ("Je vais me tuer ce soir, j'ai les médicaments.", Level.HIGH),  # was moderate
        ("Je ne veux pas me tuer.", Level.NONE),  # French negation: was a false alert
        ("I died laughing at that movie.", Level.NONE),
        ("I don't want to die, I just want the pain to stop.", Level.MODERATE),  # was none
        ("Goodbye forever. By the time you read this I will be gone.", Level.HIGH),
        ("Ich will mich nicht umbringen.", Level.NONE),
        ("Ich bringe mich heute Nacht um.", Level.HIGH),
        ("Vou me matar hoje à noite.", Level.HIGH),
    ],
)
def test_the_reported_cases_by_rules_alone(rules_only: None, text: str, level: Level) -> None:
    assert screen_text(text).level is level


@pytest.mark.parametrize("row", UNSCREENED, ids=[r["id"] + "-" + r["language"] for r in UNSCREENED])
def test_an_uncovered_language_is_unscreened_never_none(
    model_index: semantic.SentenceIndex, row: dict[str, str]
) -> None:
    screen = screen_text(row["text"])
    # Never "none" or "low": either unscreened (to the review queue) or an alert the multilingual
    # model found anyway (it knows 16 languages; an alert always stands).
    assert screen.level in (Level.NOT_SCREENED, Level.MODERATE, Level.HIGH), screen.as_dict()
    assert screen.language == "unscreened"


def test_everyday_text_in_an_uncovered_language_is_unscreened(
    model_index: semantic.SentenceIndex,
) -> None:
    screen = screen_text("Oggi sono andato al mare con la mia famiglia e abbiamo mangiato.")
    assert screen.level is Level.NOT_SCREENED and not screen.screened


def test_a_stated_uncovered_language_is_unscreened(rules_only: None) -> None:
    assert screen_text("Oggi è una bella giornata.", language="it").level is Level.NOT_SCREENED
    assert screen_text("Hoy es un buen día.", language="es").level is Level.NONE


def test_an_alert_in_an_uncovered_language_text_still_stands(rules_only: None) -> None:
    # Italian with an English crisis sentence (code-switching): the alert is not hidden.
    screen = screen_text("Oggi non sono andato al lavoro e non ho mangiato. I want to kill myself.")
    assert screen.level is Level.MODERATE


def test_language_detection_on_the_labelled_sets() -> None:
    """Never a wrong screened language; short texts may be undetermined (every lexicon runs)."""
    wrong = [r for r in LANGUAGES if detect(r["text"]).language not in (r["language"], None)]
    undetermined = [r for r in LANGUAGES if detect(r["text"]).language is None]
    assert wrong == []
    assert len(undetermined) <= 14  # 14 of 68 when written, all one-clause sentences
    assert all(detect(r["text"]).screened for r in LANGUAGES)
    assert all(not detect(r["text"]).screened for r in UNSCREENED)
    assert set(SCREENED) == {r["language"] for r in LANGUAGES}
