"""Acceptance check B: the HL7 SDC PHQ-9 QuestionnaireResponse examples are scored by Careloop,
and the stored total that disagrees with the answers is reported as a mismatch."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from careloop.analytics.questionnaire_responses import (
    SDC_PHQ9_SYSTEM,
    InvalidQuestionnaireResponse,
    score_questionnaire_response,
)

FHIR_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "fhir_r4"
EXAMPLES = sorted(FHIR_DATA.glob("*questionnaireresponse*PHQ9*.json"))
LOINC_ANSWERS = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_phq9_example_file_is_found() -> None:
    names = [path.name for path in EXAMPLES]
    assert names == [
        "adaptive-questionnaireresponse-sdc-profile-example-PHQ9.json",
        "questionnaireresponse-sdc-profile-example-PHQ9.json",
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_sdc_example_total_13_disagrees_with_its_answers_which_sum_to_10(path: Path) -> None:
    scored = score_questionnaire_response(load(path))
    assert scored.answers == (0, 0, 0, 1, 2, 1, 3, 2, 1, None)  # PROVENANCE.md, issue 1
    assert (scored.total, scored.stored_total) == (10, 13)
    assert scored.mismatch is True
    assert scored.message is not None and "13" in scored.message and "10" in scored.message
    assert scored.result.band == "moderate" and scored.result.caseness is True
    assert [flag.code for flag in scored.result.risk_flags] == ["phq9_item9_positive"]
    assert scored.answer_systems == (SDC_PHQ9_SYSTEM,)


def loinc_response(values: list[int], stored_total: int | None) -> dict[str, Any]:
    """A US Core style response: Careloop linkIds, LOINC answers, LOINC-coded total."""
    items: list[dict[str, Any]] = [
        {
            "linkId": str(n),
            "answer": [{"valueCoding": {"system": "http://loinc.org", "code": LOINC_ANSWERS[v]}}],
        }
        for n, v in enumerate(values, start=1)
    ]
    if stored_total is not None:
        items.append(
            {
                "linkId": "total",
                "code": [{"system": "http://loinc.org", "code": "44261-6"}],
                "answer": [{"valueInteger": stored_total}],
            }
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": "r1",
        "status": "completed",
        "item": items,
    }


def test_a_consistent_loinc_coded_response_is_not_a_mismatch() -> None:
    scored = score_questionnaire_response(loinc_response([3] * 9, stored_total=27))
    assert (scored.total, scored.stored_total, scored.mismatch) == (27, 27, False)
    assert scored.message is None and scored.result.band == "severe"


def test_a_response_without_a_stored_total_is_scored_without_a_mismatch() -> None:
    scored = score_questionnaire_response(loinc_response([1, 1, 1, 1, 0, 0, 0, 0, 0], None))
    assert (scored.total, scored.stored_total, scored.mismatch) == (4, None, False)


def test_two_missing_items_are_prorated_by_the_phq9_rule() -> None:
    response = loinc_response([2, 2, 2, 2, 2, 2, 2], stored_total=None)
    scored = score_questionnaire_response(response)
    assert scored.result.prorated and scored.total == 18.0


def _example() -> dict[str, Any]:
    return load(FHIR_DATA / "questionnaireresponse-sdc-profile-example-PHQ9.json")


def _first_question(qr: dict[str, Any]) -> dict[str, Any]:
    return qr["item"][0]["item"][0]


def _drop_three_answers(qr: dict[str, Any]) -> None:
    del qr["item"][0]["item"][:3]


def _second_answer(qr: dict[str, Any]) -> None:
    _first_question(qr)["answer"].append({"valueCoding": {"code": "Not-at-all"}})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda qr: qr.update(status="in-progress"), "cannot be scored"),
        (lambda qr: qr.update(resourceType="Questionnaire"), "not a FHIR QuestionnaireResponse"),
        (
            lambda qr: _first_question(qr)["answer"][0]["valueCoding"].update(code="Often"),
            "'Often' .* is not recognised",
        ),
        (
            lambda qr: _first_question(qr).update(linkId="H1/T1/Q42"),
            "'H1/T1/Q42' is not a .* question",
        ),
        (_second_answer, "more than one answer"),
        (_drop_three_answers, "at most 2"),
    ],
    ids=[
        "in-progress",
        "wrong-resource",
        "unknown-code",
        "unknown-item",
        "two-answers",
        "3-missing",
    ],
)
def test_unscoreable_responses_are_refused_with_a_reason(change, message: str) -> None:
    qr = copy.deepcopy(_example())
    change(qr)
    with pytest.raises(InvalidQuestionnaireResponse, match=message):
        score_questionnaire_response(qr)
