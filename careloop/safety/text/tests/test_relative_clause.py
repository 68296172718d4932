"""A relative clause is about the noun before it, not the writer (issue #18 item 14: a helper's
"my brother, who struggled with suicidal thoughts" alerted as the writer's own risk)."""

from __future__ import annotations

import pytest

from careloop.safety.text import Level, Qualifier, screen_text


@pytest.mark.parametrize(
    "text",
    [
        "Your post made me think of my brother, who struggled with suicidal thoughts.",
        "Mi hermana, quien quiere suicidarse, vive conmigo.",
    ],
)
def test_a_relative_clause_about_someone_else_does_not_alert(rules_only: None, text: str) -> None:
    screen = screen_text(text)
    assert not screen.should_alert, screen.as_dict()
    assert any(Qualifier.THIRD_PERSON in span.qualifiers for span in screen.evidence)


def test_the_writer_after_a_relative_clause_still_alerts(rules_only: None) -> None:
    screen = screen_text("I told my mum, who cried, that I want to kill myself.")
    assert screen.level is Level.MODERATE
