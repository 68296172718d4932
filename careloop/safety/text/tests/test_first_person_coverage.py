"""First-person risk that 2.0.0 missed in real long posts (issue #18 item 14), rules alone.

Each case is a phrasing we wrote after reading r/SuicideWatch misses of the crisis_text_dev tuning
split (no dataset text copied): forum titles glued to the body, "why shouldn't I ..." read as a
denial, "for the last year" read as the remote past, and common phrasings no rule read. Each must
alert through a rule, so the flag is explained by a span; the near misses beside them must not.
"""

from __future__ import annotations

import pytest

from careloop.safety.text import screen_text
from careloop.safety.text.detector import sentence_qualifiers
from careloop.safety.text.exemplars import Exemplar
from careloop.safety.text.result import Construct, Qualifier, Source
from careloop.safety.text.segment import Segment, sentences
from careloop.safety.text.semantic import SentenceSimilarity


def _rule_alerts(text: str) -> set[str]:
    screen = screen_text(text)
    return {
        span.rule_id or ""
        for span in screen.evidence
        if span.source is Source.RULE and span.weight >= 0.4
    }


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        # A title glued to the body: "die" ran into "I'm", so "\bdie\b" never matched.
        ("I just want to dieI'm a loser and no good to anyone.", "en.passive_ideation.want_to_die"),
        ("Best pills for an overdoseI don't care any more.", "en.method.overdose"),
        # "why shouldn't I" asks for a reason not to; it is no denial.
        ("Why shouldn't I kill myself?", "en.active_ideation.kill_myself"),
        # "for the last year" is still going on, not the remote past.
        (
            "I have been so alone for the last year and I keep thinking about ending my life.",
            "en.active_ideation.thinking_about_suicide",
        ),
        ("I can't do this anymore.", "en.passive_ideation.cannot_go_on"),
        ("Honestly I can't go on like this.", "en.passive_ideation.cannot_go_on"),
        ("I just need a way out.", "en.passive_ideation.way_out"),
        ("I want it all to end.", "en.active_ideation.want_it_to_end"),
        ("All I think about is my suicide.", "en.active_ideation.my_suicide"),
        ("I'm on the edge of suicide tonight.", "en.active_ideation.my_suicide"),
        ("Any good ways to die around here?", "en.method.seeking_a_method"),
        ("I want to down a whole bottle of melatonin.", "en.method.many_pills"),
    ],
)
def test_first_person_phrasing_alerts_through_a_rule(
    rules_only: None, text: str, rule_id: str
) -> None:
    screen = screen_text(text)
    assert screen.should_alert, (text, screen.level, screen.evidence)
    assert rule_id in _rule_alerts(text), (text, screen.evidence)


@pytest.mark.parametrize(
    "text",
    [
        "I can't take it anymore with this commute, two hours every day.",
        "I need a way out of this phone contract.",
        "I want this meeting to end so I can have lunch.",
        "I don't want to kill myself, I want to feel better.",
        "My iPhone died and I lost all my photos from last year.",
    ],
)
def test_the_near_misses_do_not_alert(rules_only: None, text: str) -> None:
    assert not screen_text(text).should_alert, text


def test_a_glued_title_is_its_own_sentence() -> None:
    assert [s.text for s in sentences("Final strawI am done.")] == ["Final straw", "I am done."]
    # Two lower-case letters first: brand names stay whole.
    assert [s.text for s in sentences("My iPhone broke.")] == ["My iPhone broke."]


def _near(support: float) -> SentenceSimilarity:
    exemplar = Exemplar("en.test.01", Construct.PASSIVE_IDEATION, "I want to die")
    return SentenceSimilarity(0, exemplar, 0.3, 0.4, 0.0, 0.1, support_similarity=support)


def test_helper_talk_hedge_spares_a_sentence_that_speaks_for_the_writer() -> None:
    own = "I just want to die, what's the point?"
    helper = "You are not alone, please call a crisis line."
    assert Qualifier.CONTRAST not in sentence_qualifiers(_near(0.5), [], Segment(0, 36, own))
    assert Qualifier.CONTRAST in sentence_qualifiers(_near(0.5), [], Segment(0, 45, helper))
