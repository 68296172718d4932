"""An alert's one-line reason reads as plain language to the clinician, never only codes."""

from __future__ import annotations

from careloop.instruments.library import get_instrument
from careloop.safety.models import Alert
from careloop.safety.presenters import reason_of
from careloop.safety.types import AlertSource


def _alert(source: str, evidence: dict[str, object]) -> Alert:
    return Alert(source=source, evidence=evidence)


def test_a_risk_answer_names_the_question_and_the_answer_given() -> None:
    phq9 = get_instrument("phq9")
    reason = reason_of(
        _alert(
            AlertSource.INSTRUMENT_ITEM,
            {
                "instrument": phq9.versioned_id,
                "flag": "phq9_item9_positive",
                "item": "9",
                "answer": 2,
            },
        )
    )
    option = next(o for o in phq9.items[8].options if o.value == 2)
    assert reason.startswith(f"{phq9.title}, question 9")
    assert phq9.items[8].text in reason
    assert f'answered "{option.display}"' in reason


def test_an_unknown_instrument_still_gets_the_coded_reason() -> None:
    reason = reason_of(
        _alert(
            AlertSource.INSTRUMENT_ITEM,
            {"instrument": "retired@0.1", "flag": "x_flag", "item": "3", "answer": 1},
        )
    )
    assert reason == "retired@0.1: x_flag (item 3, answer 1)"
