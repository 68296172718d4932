"""Answer encoding (issue #18 item 7, hazard HZ-018).

Answers are read by option code or item score, never guessed: a bare number on a reverse-scored
or position-coded item is refused naming the item, `true` is not a score, and a completion time
in year 1 or in the future is refused, in the JSON API and in FHIR QuestionnaireResponse POST.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta
from typing import Any

import pytest

from careloop.assessments import api as assessments_api
from careloop.assessments.models import Assessment
from careloop.assessments.services import submission
from careloop.core import clock
from careloop.instruments import library
from careloop.instruments.answer_input import AnswerInputError, decode_answers
from careloop.instruments.scoring import score


@pytest.fixture
def epds_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    """EPDS ships disabled (RCPsych licence); a licensed service enables it."""
    real = library.get_instrument

    def enabled(instrument_id: str) -> library.InstrumentDefinition:
        definition = real(instrument_id)
        if instrument_id == "epds":
            return dataclasses.replace(definition, enabled=True, disabled_reason=None)
        return definition

    monkeypatch.setattr(submission, "get_instrument", enabled)
    monkeypatch.setattr(assessments_api, "get_instrument", enabled)


def _post(client: Any, body: dict[str, Any]) -> Any:
    body = {"client_id": str(uuid.uuid4())} | body
    return client.post("/api/assessments", body, content_type="application/json")


# EPDS item scores a sending system would hold: 3 on every item (the worst answer everywhere).
EPDS_WORST_SCORES = [3] * 10  # total 30


def test_epds_bare_numbers_on_reverse_scored_items_are_refused_naming_the_item(
    as_user, ada, ada_patient, epds_enabled
) -> None:
    """Before: [3]*10 was read as positions, so items 3, 5–10 scored 0 and the total was 9."""
    response = _post(as_user(ada), {"instrument": "epds", "answers": EPDS_WORST_SCORES})
    assert response.status_code == 422, response.content
    assert "(EPDS) item 3" in response.json()["detail"]
    assert "ambiguous" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_epds_answers_by_score_and_by_code_give_the_same_right_total(
    as_user, ada, ada_patient, epds_enabled
) -> None:
    client = as_user(ada)
    by_score = _post(
        client, {"instrument": "epds", "answers": [{"score": s} for s in EPDS_WORST_SCORES]}
    )
    assert by_score.status_code == 201, by_score.content
    assert by_score.json()["total"] == 30
    # The worst answer is the 4th printed option on items 1, 2, 4 and the 1st on the others.
    codes = [f"epds-position-{3 if n in (1, 2, 4) else 0}" if n % 2 else None for n in range(1, 11)]
    answers: list[Any] = [
        code or {"code": f"epds-position-{3 if n in (1, 2, 4) else 0}"}
        for n, code in enumerate(codes, start=1)
    ]
    by_code = _post(client, {"instrument": "epds", "answers": answers})
    assert by_code.status_code == 201, by_code.content
    assert by_code.json()["total"] == 30
    assert by_code.json()["answers"] == by_score.json()["answers"]


def test_phq9_plain_integers_still_work_and_codes_are_accepted(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    plain = _post(client, {"instrument": "phq9", "answers": [1] * 8 + [0]})
    assert plain.status_code == 201 and plain.json()["total"] == 8
    answers = ["LA6569-3"] * 8 + [{"code": "LA6568-5"}]  # LOINC: "Several days", "Not at all"
    coded = _post(client, {"instrument": "phq9", "answers": answers})
    assert coded.status_code == 201 and coded.json()["total"] == 8


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ([True] * 8 + [False], "answers"),  # booleans are not numbers (before: True scored as 1)
        ([1] * 8 + [{"code": "LA6568-5", "score": 0}], "answers"),  # two forms at once
        ([1] * 8 + ["LA0000-0"], "(PHQ-9) item 9: unknown answer code"),
        ([1] * 8 + [{"score": 7}], "(PHQ-9) item 9: no single answer has the item score 7"),
    ],
)
def test_ambiguous_or_non_numeric_answers_are_refused(
    as_user, ada, ada_patient, answers, fragment
) -> None:
    response = _post(as_user(ada), {"instrument": "phq9", "answers": answers})
    assert response.status_code == 422, response.content
    assert fragment in str(response.json()["detail"])
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "completed_at",
    [
        "0001-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        (clock.now() + timedelta(days=1)).isoformat(),
        (clock.now() + timedelta(minutes=30)).isoformat(),
    ],
    # Fixed ids: ids made of the clock differ between pytest-xdist's workers, which then refuse
    # to run (`make test-fast` runs two).
    ids=["year-1", "1970", "a-day-ahead", "half-an-hour-ahead"],
)
def test_api_refuses_a_completion_time_in_year_1_or_in_the_future(
    as_user, ada, ada_patient, completed_at
) -> None:
    body = {"instrument": "phq9", "answers": [0] * 9, "completed_at": completed_at}
    response = _post(as_user(ada), body)
    assert response.status_code == 422, response.content
    assert "completed_at" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_api_accepts_a_device_clock_a_minute_fast_and_stores_the_server_time(
    as_user, ada, ada_patient
) -> None:
    ahead = clock.now() + timedelta(minutes=1)
    body = {"instrument": "phq9", "answers": [0] * 9, "completed_at": ahead.isoformat()}
    response = _post(as_user(ada), body)
    assert response.status_code == 201, response.content
    assert Assessment.objects.get().completed_at <= clock.now()


def test_decode_refuses_booleans_even_where_a_number_would_fit() -> None:
    with pytest.raises(AnswerInputError, match=r"\(PHQ-9\) item 1: true is not an answer"):
        decode_answers(library.get_instrument("phq9"), [True] + [0] * 8)


def test_every_bare_number_on_an_item_whose_value_and_score_differ_is_refused() -> None:
    """CORE-10 2, 3 and PSS-10 4, 5, 7, 8 are reverse-keyed like EPDS: same rule, no guessing."""
    for instrument_id, items in (("core10", {"2", "3"}), ("pss10", {"4", "5", "7", "8"})):
        definition = library.get_instrument(instrument_id)
        for position, item in enumerate(definition.items):
            answers: list[object] = [None] * len(definition.items)
            answers[position] = 1
            if item.link_id in items:
                with pytest.raises(AnswerInputError, match=f"item {item.link_id}: a bare"):
                    decode_answers(definition, answers)
            else:
                assert decode_answers(definition, answers)[position] == 1


def test_decoded_scores_round_trip_through_the_scorer_for_every_option() -> None:
    """{"score": ordinalValue} always yields the option whose item score the scorer gives."""
    for definition in library.list_instruments():
        for position, item in enumerate(definition.items):
            for option in item.options:
                if option.score is None:
                    continue
                answers: list[object] = [None] * len(definition.items)
                answers[position] = {"score": option.score}
                assert decode_answers(definition, answers)[position] == option.value
    assert score("epds", [0] * 10).total == 21  # positions: 0 = first printed option
