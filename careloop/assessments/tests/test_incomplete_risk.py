"""A risk answer is never discarded (issue #18 item 2, hazard HZ-017).

Every instrument with a risk item (PHQ-9 item 9, C-SSRS screener, EPDS item 10, CORE-10 item 6)
is driven through the real submission service and through the JSON API with a positive risk
answer and items missing: the response is stored as incomplete and unscored, the alert is
raised in the same transaction, and the missing items are named.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest

from careloop.assessments.models import Assessment
from careloop.assessments.services import submission, submit_assessment
from careloop.assessments.types import AssessmentStatus, SubmissionSource
from careloop.core.errors import Conflict, InvalidInput
from careloop.instruments import library
from careloop.safety.models import Alert

# EPDS and CORE-10 ship disabled (licence and wording, clinical_spec.md §9, §11); a service
# that has the licence enables them, and their risk items must then behave like PHQ-9's.
LICENCE_GATED = ("epds", "core10")


@pytest.fixture
def licensed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = library.get_instrument

    def enabled(instrument_id: str) -> library.InstrumentDefinition:
        definition = real(instrument_id)
        if instrument_id in LICENCE_GATED:
            return dataclasses.replace(definition, enabled=True, disabled_reason=None)
        return definition

    monkeypatch.setattr(submission, "get_instrument", enabled)


# (instrument, response values, API answers, missing linkIds, alert flag, severity)
RISK_CASES: list[tuple[str, list[int | None], list[Any], list[str], str, str]] = [
    (  # PHQ-9 item 9 = 3 with three other items blank: too many missing to prorate (§1)
        "phq9",
        [1, 1, None, 2, None, None, 1, 1, 3],
        [1, 1, None, 2, None, None, 1, 1, 3],
        ["3", "5", "6"],
        "phq9_item9_positive",
        "high",
    ),
    (  # C-SSRS Q4 = yes with Q3 blank: Q3 is required once Q2 is yes (§13)
        "cssrs_screener",
        [1, 1, None, 1, 0, 0, None],
        [1, 1, None, 1, 0, 0, None],
        ["3"],
        "cssrs_high",
        "high",
    ),
    (  # C-SSRS Q1 = yes with Q2 blank: the "yes" still counts (low)
        "cssrs_screener",
        [1, None, None, None, None, 0, None],
        [1, None, None, None, None, 0, None],
        ["2"],
        "cssrs_low",
        "low",
    ),
    (  # EPDS item 10 first printed option ("Yes, quite often", item score 3), two blanks (§9)
        "epds",
        [0, 0, None, 0, None, 3, 3, 3, 3, 0],
        [
            0,
            0,
            None,
            0,
            None,
            {"score": 0},
            {"score": 0},
            {"score": 0},
            {"score": 0},
            {"code": "epds-position-0"},
        ],
        ["3", "5"],
        "epds_item10_positive",
        "high",
    ),
    (  # CORE-10 item 6 = 2 with two blanks: only one missing item may be prorated (§11)
        "core10",
        [0, None, None, 0, 0, 2, 0, 0, 0, 0],
        [0, None, None, 0, 0, 2, 0, 0, 0, 0],
        ["2", "3"],
        "core10_item6_positive",
        "high",
    ),
]
IDS = ["phq9-item9", "cssrs-q4-q3-blank", "cssrs-q1-q2-blank", "epds-item10", "core10-item6"]


@pytest.mark.usefixtures("licensed")
@pytest.mark.parametrize(
    ("instrument", "answers", "api_answers", "missing", "flag", "severity"), RISK_CASES, ids=IDS
)
def test_service_stores_an_incomplete_risk_response_and_alerts(
    ada, ada_patient, instrument, answers, api_answers, missing, flag, severity
) -> None:
    assessment, created = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id=instrument,
        answers=answers,
        client_id=uuid.uuid4(),
        source=SubmissionSource.WEB,
    )
    assert created
    stored = Assessment.objects.get(id=assessment.id)
    assert stored.status == AssessmentStatus.INCOMPLETE
    assert (stored.score_total, stored.band, stored.caseness) == (None, "", None)
    assert stored.missing_items == missing
    assert stored.answers == answers  # every given answer kept, the risk answer included
    [alert] = Alert.objects.filter(assessment=stored)
    assert (alert.evidence["flag"], alert.severity) == (flag, severity)


@pytest.mark.usefixtures("licensed")
@pytest.mark.parametrize(
    ("instrument", "answers", "api_answers", "missing", "flag", "severity"), RISK_CASES, ids=IDS
)
def test_api_answers_201_incomplete_with_missing_items_and_alerts(
    as_user, ada, ada_patient, instrument, answers, api_answers, missing, flag, severity
) -> None:
    body = {"instrument": instrument, "answers": api_answers, "client_id": str(uuid.uuid4())}
    response = as_user(ada).post("/api/assessments", body, content_type="application/json")
    assert response.status_code == 201, response.content
    payload = response.json()
    assert (payload["status"], payload["missing_items"], payload["total"]) == (
        "incomplete",
        missing,
        None,
    )
    assert payload["answers"][: len(answers)] == answers
    [alert] = Alert.objects.filter(assessment_id=payload["id"])
    assert (alert.evidence["flag"], alert.severity) == (flag, severity)


@pytest.mark.usefixtures("licensed")
@pytest.mark.parametrize(
    ("instrument", "answers", "missing"),
    [
        ("phq9", [1, 1, None, 2, None, None, 1, 1, 0], "3, 5 and 6"),
        ("cssrs_screener", [0, None, None, None, None, 0, None], "2"),
        ("epds", [0, 0, None, 0, None, 3, 3, 3, 3, 3], "3 and 5"),
        ("core10", [0, None, None, 0, 0, 0, 0, 0, 0, 0], "2 and 3"),
    ],
)
def test_missing_items_without_a_risk_answer_are_refused_naming_them(
    ada, ada_patient, instrument, answers, missing
) -> None:
    """Nothing to alert on: the patient is asked to finish the form; nothing half-stored."""
    with pytest.raises(InvalidInput, match=f"please answer questions? {missing} "):
        submit_assessment(
            ada_patient,
            actor=ada,
            instrument_id=instrument,
            answers=answers,
            client_id=uuid.uuid4(),
            source=SubmissionSource.API,
        )
    assert not Assessment.objects.exists() and not Alert.objects.exists()


def test_api_refuses_missing_items_without_risk_with_a_422_naming_them(
    as_user, ada, ada_patient
) -> None:
    body = {"instrument": "phq9", "answers": [1, None, None, None, 1, 1, 1, 1, 0]}
    response = as_user(ada).post(
        "/api/assessments", body | {"client_id": str(uuid.uuid4())}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "missing items: 2, 3, 4" in response.json()["detail"]
    assert not Assessment.objects.exists()


def test_completing_under_the_same_client_id_scores_the_same_record_without_a_second_alert(
    as_user, ada, ada_patient
) -> None:
    client = as_user(ada)
    client_id = str(uuid.uuid4())
    partial = [1, 1, None, 2, None, None, 1, 1, 3]
    first = client.post(
        "/api/assessments",
        {"instrument": "phq9", "answers": partial, "client_id": client_id},
        content_type="application/json",
    )
    assert first.status_code == 201 and first.json()["status"] == "incomplete"
    done = client.post(
        "/api/assessments",
        {"instrument": "phq9", "answers": [1, 1, 1, 2, 1, 1, 1, 1, 3], "client_id": client_id},
        content_type="application/json",
    )  # fmt: skip
    assert done.status_code == 200, done.content
    assert (done.json()["id"], done.json()["status"], done.json()["total"]) == (
        first.json()["id"],
        "complete",
        12,
    )
    assert done.json()["missing_items"] == []
    assert Assessment.objects.count() == 1
    [alert] = Alert.objects.all()  # item 9 alerted once, when it was first answered
    assert alert.evidence["flag"] == "phq9_item9_positive"


def test_a_recorded_risk_answer_cannot_be_taken_back_under_the_same_client_id(
    ada, ada_patient
) -> None:
    client_id = uuid.uuid4()
    common = {"actor": ada, "instrument_id": "phq9", "client_id": client_id}
    submit_assessment(
        ada_patient,
        answers=[1, 1, None, 2, None, None, 1, 1, 3],
        source=SubmissionSource.API,
        **common,
    )
    with pytest.raises(Conflict):
        submit_assessment(
            ada_patient, answers=[1, 1, 1, 2, 1, 1, 1, 1, 0], source=SubmissionSource.API, **common
        )
    stored = Assessment.objects.get()
    assert (stored.answers[8], stored.status) == (3, AssessmentStatus.INCOMPLETE)


def test_web_form_reshows_with_missing_questions_named_and_the_risk_answer_kept(
    as_user, ada, ada_patient
) -> None:
    client = as_user(ada)
    client_id = str(uuid.uuid4())
    posted = {f"item-{n}": "1" for n in (1, 2, 4, 7, 8)} | {"item-9": "3", "client_id": client_id}
    response = client.post("/questionnaires/phq9/", posted)
    assert response.status_code == 200
    page = response.content.decode()
    assert "please also answer questions 3, 5 and 6" in page
    assert 'id="item-9-3" name="item-9" value="3" required checked' in page
    assert f'name="client_id" value="{client_id}"' in page
    assert "crisis" in page
    stored = Assessment.objects.get()
    assert stored.status == AssessmentStatus.INCOMPLETE
    assert Alert.objects.filter(assessment=stored).count() == 1
    # Finishing the re-shown form completes the same record and shows the result.
    finished = client.post("/questionnaires/phq9/", posted | {f"item-{n}": "0" for n in (3, 5, 6)})
    assert finished.status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.score_total) == (AssessmentStatus.COMPLETE, 8)
    assert Assessment.objects.count() == 1


def test_an_incomplete_response_is_never_the_previous_total_of_the_deterioration_rule(
    ada, ada_patient
) -> None:
    """4 -> (incomplete, item 9 = 3) -> 10: the +6 rise is still measured from the 4."""
    first: list[int | None] = [1, 1, 1, 1, 0, 0, 0, 0, 0]
    partial: list[int | None] = [1, 1, None, 2, None, None, 1, 1, 3]
    later: list[int | None] = [2, 2, 1, 1, 1, 1, 1, 1, 0]
    for answers in (first, partial, later):
        last, _ = submit_assessment(
            ada_patient,
            actor=ada,
            instrument_id="phq9",
            answers=answers,
            client_id=uuid.uuid4(),
            source=SubmissionSource.API,
        )
    [rise] = Alert.objects.filter(assessment=last)
    assert (rise.evidence["previous_total"], rise.evidence["total"]) == (4, 10)


def test_web_form_changing_a_sent_risk_answer_keeps_the_first_and_says_so(
    as_user, ada, ada_patient
) -> None:
    client = as_user(ada)
    client_id = str(uuid.uuid4())
    posted = {f"item-{n}": "1" for n in (1, 2, 4, 7, 8)} | {"item-9": "3", "client_id": client_id}
    assert client.post("/questionnaires/phq9/", posted).status_code == 200
    changed = posted | {f"item-{n}": "0" for n in (3, 5, 6, 9)}
    response = client.post("/questionnaires/phq9/", changed)
    assert response.status_code == 422
    assert "We have kept your first answers" in response.content.decode()
    assert f'value="{client_id}"' not in response.content.decode()  # a fresh form
    stored = Assessment.objects.get()
    assert (stored.answers[8], stored.status) == (3, AssessmentStatus.INCOMPLETE)


def test_an_incomplete_response_does_not_count_as_completing_the_measure(ada, ada_patient) -> None:
    from careloop.monitoring.selectors import last_completions

    def latest() -> dict[tuple[uuid.UUID, str], object]:
        return dict(last_completions([ada_patient.id], service_ids=[ada_patient.service_id]))

    common = {"actor": ada, "instrument_id": "phq9", "source": SubmissionSource.API}
    submit_assessment(
        ada_patient, answers=[1, 1, None, 2, None, None, 1, 1, 3], client_id=uuid.uuid4(), **common
    )
    assert (ada_patient.id, "phq9") not in latest()  # still due: the patient is asked again
    complete: list[int | None] = [1, 1, 1, 1, 1, 1, 1, 1, 0]
    submit_assessment(ada_patient, answers=complete, client_id=uuid.uuid4(), **common)
    assert (ada_patient.id, "phq9") in latest()
