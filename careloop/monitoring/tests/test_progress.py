"""My progress (issue #14 item 5): the patient's own scores over time, a chart and a table with
plain words; nobody else's scores; 404 to anyone who is not a patient with a record."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import Patient
from careloop.monitoring.charts.types import ScorePoint
from careloop.monitoring.progress_views import change_sentences
from conftest import make_user, submit_answers

PHQ9_18: list[int | None] = [2, 2, 2, 2, 2, 2, 2, 2, 0]  # 16
PHQ9_8: list[int | None] = [1, 1, 1, 1, 1, 1, 1, 1, 0]  # 8


def _move_back(assessment: Assessment, days: int) -> None:
    Assessment.objects.filter(id=assessment.id).update(
        completed_at=assessment.completed_at - timedelta(days=days)
    )


def _points(*scores: float) -> list[ScorePoint]:
    start = date(2026, 1, 5)
    return [
        ScorePoint(start + timedelta(weeks=i), s, shown_on=f"day {i}") for i, s in enumerate(scores)
    ]


def test_a_small_change_is_said_to_be_maybe_chance():
    words = " ".join(change_sentences("phq9", _points(14, 11), higher_is_better=False, known=True))
    assert "went down from 14 on day 0 to 11 on day 1" in words
    assert "lower score is better" in words
    assert "a change of less than 6 points may be chance" in words


def test_a_big_change_is_less_likely_to_be_chance_with_the_instruments_own_criterion():
    words = " ".join(change_sentences("gad7", _points(6, 15), higher_is_better=False, known=True))
    assert "went up from 6" in words
    assert (
        "changed by 9 points" in words
        and "4 points or more is less likely to be just chance" in words
    )


def test_a_measure_without_a_criterion_says_so_and_who5_says_higher_is_better():
    words = " ".join(change_sentences("who5", _points(8, 12), higher_is_better=True, known=True))
    assert "higher score is better" in words
    assert "no set rule for how big a change" in words


def test_one_score_only():
    words = " ".join(change_sentences("phq9", _points(9), higher_is_better=False, known=True))
    assert "You answered it once, on day 0. Your score was 9." in words


@pytest.mark.django_db
def test_the_patient_sees_a_chart_a_table_and_plain_words(ada, ada_patient, as_user):
    first = submit_answers(ada_patient, ada, "phq9", PHQ9_18)
    _move_back(first, 42)
    submit_answers(ada_patient, ada, "phq9", PHQ9_8)
    submit_answers(ada_patient, ada, "gad7", [1, 1, 1, 1, 1, 1, 1])

    response = as_user(ada).get("/progress/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1  # PHQ-9 (GAD-7 has one score)
    assert 'role="img"' in html and "Your PHQ-9 scores over time" in html
    assert re.search(r"<caption[^>]*>Your PHQ-9 scores, newest first. <span", html)
    assert (
        '<th scope="col">Change</th>' in html
        and "Change means the change since your first score." in html
    )
    assert "went down from 16" in html and "to 8" in html
    assert "−8" in html  # the change column, with a real minus sign
    assert "You answered it once" in html  # GAD-7
    for jargon in ("caseness", "Caseness", "reliable change", "Reliable change", "UNVERIFIED"):
        assert jargon not in html
    assert AuditEvent.objects.filter(action=AuditAction.ASSESSMENTS_VIEWED).exists()


@pytest.mark.django_db
def test_another_patients_scores_are_never_shown(service, north, ada, ada_patient, as_user):
    bea = make_user(service, "bea", Role.PATIENT)
    bea_patient = Patient.objects.create(
        service=service, user=bea, care_team=north, display_name="Bea Test", birth_year=1985
    )
    submit_answers(bea_patient, bea, "phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])  # 24
    submit_answers(bea_patient, bea, "audit_c", [4, 4, 4])
    submit_answers(ada_patient, ada, "phq9", PHQ9_8)

    html = as_user(ada).get("/progress/").content.decode()
    assert ">8<" in html
    assert ">24<" not in html and "AUDIT" not in html
    assert "Bea" not in html


@pytest.mark.django_db
def test_no_scores_yet(ada, as_user):
    html = as_user(ada).get("/progress/").content.decode()
    assert "You have no scores yet" in html


@pytest.mark.django_db
def test_anyone_but_the_patient_gets_404_and_signed_out_is_sent_to_sign_in(ben, dana, ada, as_user):
    assert as_user(ben).get("/progress/").status_code == 404
    assert as_user(dana).get("/progress/").status_code == 404
    from django.test import Client

    response = Client().get("/progress/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]
