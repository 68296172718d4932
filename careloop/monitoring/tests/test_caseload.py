from __future__ import annotations

import uuid
from datetime import timedelta

from careloop.assessments.models import SubmissionSource
from careloop.assessments.services import submit_assessment
from careloop.audit.models import AuditAction, AuditEvent
from careloop.care.models import EpisodeEnding, TreatmentEpisode
from careloop.core import clock


def _submit(patient, user, instrument, answers, days_ago):
    submit_assessment(
        patient,
        actor=user,
        instrument_id=instrument,
        answers=answers,
        client_id=uuid.uuid4(),
        source=SubmissionSource.SEED,
        completed_at=clock.now() - timedelta(days=days_ago),
    )


def test_caseload_shows_baseline_latest_and_change_for_team_patients(
    as_user, ada, ada_patient, ben
) -> None:
    TreatmentEpisode.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        referred_on=clock.now().date(),
        started_on=clock.now().date() - timedelta(days=30),
        ending=EpisodeEnding.ONGOING,
    )
    _submit(ada_patient, ada, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0], 21)  # 16
    _submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0], 7)  # 8
    _submit(ada_patient, ada, "gad7", [2, 2, 2, 2, 1, 1, 1], 21)  # 11
    rows = as_user(ben).get("/api/caseload").json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["phq9_baseline"], row["phq9_latest"], row["phq9_change"]) == (16, 8, -8)
    assert (row["gad7_baseline"], row["gad7_latest"], row["gad7_change"]) == (11, 11, 0)
    assert row["last_submission_at"] is not None
    page = as_user(ben).get("/caseload/")
    assert page.status_code == 200 and b"Ada Test" in page.content and b"-8" in page.content


def test_viewing_the_caseload_audits_each_patient_shown(as_user, ada_patient, ben) -> None:
    as_user(ben).get("/caseload/")
    events = AuditEvent.objects.filter(action=AuditAction.CASELOAD_VIEWED)
    assert [(e.actor_id, e.patient_id) for e in events] == [(ben.id, ada_patient.id)]


def test_outsider_sees_an_empty_caseload_and_404_for_the_patient(
    as_user, ada_patient, dana
) -> None:
    assert as_user(dana).get("/api/caseload").json() == []
    assert as_user(dana).get(f"/patients/{ada_patient.id}/").status_code == 404


def test_admin_and_researcher_do_not_see_patient_records(as_user, ada_patient, cleo) -> None:
    assert as_user(cleo).get(f"/patients/{ada_patient.id}/").status_code == 404
    assert as_user(cleo).get("/api/caseload").json() == []
    assert as_user(cleo).get("/caseload/").status_code == 404


def test_patient_page_lists_history_and_is_audited(as_user, ada, ada_patient, ben) -> None:
    _submit(ada_patient, ada, "phq9", [1] * 9, 3)
    page = as_user(ben).get(f"/patients/{ada_patient.id}/")
    assert page.status_code == 200 and b"phq9@" in page.content
    assert AuditEvent.objects.filter(action=AuditAction.PATIENT_VIEWED, actor=ben).count() == 1
