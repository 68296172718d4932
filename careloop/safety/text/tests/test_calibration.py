"""Calibration on long multi-sentence posts (issue #18 item 14), thresholds asserted.

fixtures/long_posts.jsonl: 94 posts we wrote (no dataset text): first-person risk, supportive
replies, past recovery stories, news, idioms and everyday low mood (lp-055..lp-074: 20 more
supportive replies, lp-075..lp-094: 20 more everyday low-mood/worry paragraphs, written for
crisis-text@2.1.0 and never used to choose a rule or threshold). The per-class rates are the
ones reported in docs/safety/crisis-text-detector.md; a change that moves them fails here.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from careloop.safety.text import screen_text, semantic
from careloop.safety.text.detector import CALIBRATION, aggregate

POSTS = [
    json.loads(line)
    for line in (Path(__file__).parent / "fixtures" / "long_posts.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


_RATES: dict[str, float] = {}


@pytest.fixture
def flag_rates(model_index: semantic.SentenceIndex) -> dict[str, float]:
    if _RATES:
        return _RATES
    flagged: dict[str, list[bool]] = defaultdict(list)
    for post in POSTS:
        flagged[post["label"]].append(screen_text(post["text"]).should_alert)
    _RATES.update({label: sum(v) / len(v) for label, v in flagged.items()})
    return _RATES


def test_first_person_risk_recall_is_at_least_095(flag_rates: dict[str, float]) -> None:
    assert flag_rates["first_person_risk"] >= 0.95


def test_at_most_half_of_the_supportive_writing_is_flagged(flag_rates: dict[str, float]) -> None:
    assert flag_rates["supportive"] <= 0.5
    # 4 of 30 with crisis-text@2.1.0 (2.0.0: 3 of 30; 1.0.0: 10 of the first 10), all through
    # sentence similarity, none through a rule: see the docs' table.
    assert flag_rates["supportive"] <= 4 / 30


def test_everyday_news_and_idioms_rarely_alert(flag_rates: dict[str, float]) -> None:
    # 4 of 28 with 2.1.0 and 2.0.0 (0 of the first 8, 4 of the 20 added): similarity alone.
    assert flag_rates["everyday_low_mood"] <= 4 / 28
    assert flag_rates["idiom"] <= 0.25
    assert flag_rates["news"] <= 0.25


INTL_POSTS = [
    json.loads(line)
    for line in (Path(__file__).parent / "fixtures" / "long_posts_intl.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]


@pytest.mark.parametrize("language", ["fr", "pt", "de", "ar"])
def test_long_posts_in_each_language(model_index: semantic.SentenceIndex, language: str) -> None:
    """2 first-person risk posts and 2 supportive replies per language, written by us."""
    posts = [p for p in INTL_POSTS if p["language"] == language]
    risk = [screen_text(p["text"]) for p in posts if p["label"] == "first_person_risk"]
    support = [screen_text(p["text"]) for p in posts if p["label"] == "supportive"]
    assert len(risk) == len(support) == 2
    assert all(s.should_alert for s in risk), [s.as_dict() for s in risk]
    assert not any(s.should_alert for s in support), [s.as_dict() for s in support]
    assert all(s.screened for s in risk + support)


def test_one_stray_sentence_does_not_carry_a_long_post() -> None:
    assert aggregate([0.6, 0.0, 0.0]) == pytest.approx(0.3)
    assert aggregate([0.6, 0.5]) == pytest.approx(0.55)
    assert aggregate([0.6]) == pytest.approx(0.6)
    assert aggregate([]) == 0.0
    assert 0.0 < CALIBRATION.floor < CALIBRATION.alert < CALIBRATION.full


def test_helper_talk_and_someone_else_do_not_alert(model_index: semantic.SentenceIndex) -> None:
    for text in [
        "Please don't give up. You matter and people care about you. Call a crisis line tonight.",
        "You are not alone. I felt the same way years ago and it got better with help.",
    ]:
        assert not screen_text(text).should_alert, text
