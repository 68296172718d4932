"""Words that mislead (issue #18 item 6, hazard HZ-022).

The patient is told what they actually answered to a risk question — answered above "Not at
all", answered "Not at all", or not answered — never an answer they did not give. Clinicians see
"not answered" where an answer is missing, never "None", and readable names rather than codes.
AUDIT-C is scored with the patient's recorded sex (clinical_spec.md §8: >= 4 men, >= 3 women).
"""

from __future__ import annotations

import pytest

from careloop.accounts.models import User
from careloop.assessments.models import Assessment
from careloop.care.models import Patient
from careloop.care.types import Gender
from careloop.safety.models import Alert
from careloop.safety.presenters import reason_of
from conftest import signed_in, submit_answers

CLAIM = "You told us you have had thoughts"
ITEM9 = "Thoughts that you would be better off dead or of hurting yourself in some way"


def _submit(user: User, instrument_id: str, answers: list[int | None]) -> Assessment:
    return submit_answers(user.patient_record, user, instrument_id, answers)


def _result_page(user: User, assessment: Assessment) -> str:
    response = signed_in(user).get(f"/questionnaires/results/{assessment.id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_positive_item_9_is_quoted_back_with_the_answer_given(ada: User):
    page = _result_page(ada, _submit(ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2]))
    assert f"You answered “More than half the days” to “{ITEM9}”." in page
    assert "Your care team has been told and will contact you." in page
    assert 'href="/safety/crisis/"' in page


@pytest.mark.django_db
def test_a_skipped_item_9_is_never_reported_as_thoughts_the_patient_had(ada: User):
    # Two items missing is still scored (prorated); item 9 is one of them.
    page = _result_page(ada, _submit(ada, "phq9", [1, 1, 1, 1, 1, 1, 1, None, None]))
    assert CLAIM not in page and "You answered" not in page
    assert f"You did not answer “{ITEM9}”. That is all right." in page
    assert "not answered" in page and 'href="/safety/crisis/"' in page


@pytest.mark.django_db
def test_item_9_answered_not_at_all_raises_no_safety_wording(ada: User):
    page = _result_page(ada, _submit(ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0]))
    assert CLAIM not in page and "You answered" not in page and "did not answer" not in page


@pytest.mark.django_db
def test_the_clinician_sees_not_answered_never_none(ada: User, ben: User):
    phq9 = _submit(ada, "phq9", [1, 1, 1, 1, 1, 1, 1, None, None])
    alert = Alert.objects.get(assessment=phq9)
    reason = reason_of(alert)
    assert reason.endswith(f'question 9 ("{ITEM9}"): not answered'), reason
    assert "None" not in reason

    staff = signed_in(ben)
    for path in (f"/alerts/{alert.id}/", "/alerts/", f"/patients/{ada.patient_record.id}/"):
        html = staff.get(path).content.decode()
        assert "not answered" in html, path
        assert "None" not in html.replace("None.", ""), path
    patient_page = staff.get(f"/patients/{ada.patient_record.id}/").content.decode()
    assert "Q9: not answered" in patient_page
    assert "phq9_item9_missing" not in patient_page and ">phq9@1.0.0<" not in patient_page
    assert "PHQ-9" in patient_page


def test_a_coded_reason_with_no_answer_says_not_answered() -> None:
    alert = Alert(
        evidence={"instrument": "retired@1.0.0", "flag": "x_missing", "item": "4", "answer": None}
    )
    assert reason_of(alert) == "retired@1.0.0: x_missing (item 4, not answered)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("gender", "total", "caseness"),
    [
        (Gender.FEMALE, 3, True),  # women >= 3
        (Gender.MALE, 3, False),  # men >= 4
        (Gender.MALE, 4, True),
        (Gender.NON_BINARY, 4, None),  # no published cut-off: undetermined, never guessed
    ],
)
def test_audit_c_is_scored_with_the_patients_recorded_sex(
    ada: User, gender: Gender, total: int, caseness: bool | None
):
    Patient.objects.filter(user=ada).update(gender=gender)
    ada.refresh_from_db()
    answers: list[int | None] = [min(total, 4), max(total - 4, 0), 0]
    assessment = _submit(ada, "audit_c", answers)
    assert assessment.score_total == total
    assert assessment.caseness is caseness


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("message:0190c3e1-2b4f-7c2a-9d1e-1a2b3c4d5e6f", "in a message"),
        ("journal:0190c3e1-2b4f-7c2a-9d1e-1a2b3c4d5e6f", "in a journal entry"),
        ("checkin:0190c3e1-2b4f-7c2a-9d1e-1a2b3c4d5e6f", "in a mood check-in note"),
    ],
)
def test_a_text_alert_names_the_kind_of_text_not_its_reference(source: str, named: str) -> None:
    alert = Alert(source="text", evidence={"level": "high", "source": source, "spans": ["x"]})
    reason = reason_of(alert)
    assert named in reason and "0190c3e1" not in reason, reason


@pytest.mark.django_db
def test_a_result_without_a_total_shows_a_dash_not_an_empty_cell(ada: User):
    _submit(ada, "cssrs_screener", [0, 0, None, None, None, 0, None])  # no total by design
    html = signed_in(ada).get("/questionnaires/history/").content.decode()
    assert "C-SSRS screener" in html
    assert "<td></td>" not in html and "None" not in html.replace("None.", "")
