"""Supervision (#13 item 4): the consultant's review list (not improving at 8-12 weeks, alerts
handled late, the AI-suggestions hook), case-review notes and sign-off (supervisors only,
audited, encrypted), outsiders 404, and the patient data registry."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.db import connection

from careloop.assessments.models import Assessment
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.selectors import patient_visible_to
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied
from careloop.core.patient_data import PatientScope, registered
from careloop.monitoring.supervision import suggestions
from careloop.monitoring.supervision.models import CaseReview
from careloop.monitoring.supervision.selectors import (
    late_alerts_for,
    not_improving_for,
    review_list_for,
    reviews_of,
)
from careloop.monitoring.supervision.services import record_case_review
from careloop.monitoring.supervision.types import ReviewOutcome, ReviewReason
from careloop.safety.models import Alert
from careloop.safety.types import AlertStatus

NOTE = "Reviewed PHQ-9 trend with Ben; consider adding medication review."


def _patient(team, name: str, *, weeks: int) -> tuple[Patient, TreatmentEpisode]:
    patient = Patient.objects.create(service=team.service, care_team=team, display_name=name)
    started = clock.now().date() - timedelta(weeks=weeks)
    episode = TreatmentEpisode.objects.create(
        service=team.service, patient=patient, referred_on=started, started_on=started
    )
    return patient, episode


def _score(episode: TreatmentEpisode, instrument: str, total: float, at: datetime) -> None:
    Assessment.objects.create(
        service=episode.service,
        patient=episode.patient,
        episode=episode,
        instrument_id=instrument,
        instrument_version=f"{instrument}@1.0.0",
        answers=[],
        score_total=total,
        completed_at=at,
        recorded_at=at,
        source="web",
        client_id=uuid.uuid4(),
    )


def _course(episode: TreatmentEpisode, phq9: list[float]) -> None:
    """PHQ-9 totals spread evenly from the episode's first day to an hour ago."""
    end = clock.now() - timedelta(hours=1)
    first = end - timedelta(days=(end.date() - episode.started_on).days)
    step = (end - first) / max(1, len(phq9) - 1)
    for index, total in enumerate(phq9):
        _score(episode, "phq9", total, first + step * index)


@pytest.fixture
def caseload(north, south):
    """Four Team North patients and one Team South patient, all on PHQ-9."""
    stuck, stuck_episode = _patient(north, "Stuck North", weeks=9)
    _course(stuck_episode, [20, 19, 19])
    better, better_episode = _patient(north, "Better North", weeks=10)
    _course(better_episode, [20, 12, 8])
    early, early_episode = _patient(north, "Early North", weeks=4)
    _course(early_episode, [20, 20])
    unscored, _ = _patient(north, "Unscored North", weeks=13)
    _south, south_episode = _patient(south, "Stuck South", weeks=9)
    _course(south_episode, [20, 20, 20])
    return {"stuck": stuck, "better": better, "early": early, "unscored": unscored}


def test_not_improving_lists_only_the_supervisors_team_from_week_8(sam, caseload):
    rows = not_improving_for(sam)
    names = [row.patient.display_name for row in rows]
    assert names == ["Unscored North", "Stuck North"]  # longest in treatment first
    stuck = rows[1]
    assert ReviewReason.NO_RELIABLE_IMPROVEMENT in stuck.reasons
    assert stuck.weeks == 9 and not stuck.review_overdue
    assert stuck.phq9 is not None and stuck.phq9.change.latest == 19
    assert rows[0].reasons == (ReviewReason.NO_SCORES,) and rows[0].review_overdue


def test_the_list_costs_a_constant_number_of_queries(
    sam, north, caseload, django_assert_max_num_queries
):
    not_improving_for(sam)  # the band model is cached after its first fit
    with django_assert_max_num_queries(8):
        first = len(not_improving_for(sam))
    for index in range(5):
        _patient_row, episode = _patient(north, f"More {index}", weeks=9)
        _course(episode, [18, 18])
    with django_assert_max_num_queries(8):
        assert len(not_improving_for(sam)) == first + 5


def _alert(patient: Patient, *, raised_ago: timedelta, acknowledged_after: timedelta | None):
    raised = clock.now() - raised_ago
    return Alert.objects.create(
        service=patient.service,
        patient=patient,
        rule_id="clinician_raised",
        rule_version="1.0.0",
        severity="high",
        status=AlertStatus.ACKNOWLEDGED if acknowledged_after else AlertStatus.NOTIFIED,
        raised_at=raised,
        notified_at=raised,
        acknowledged_at=raised + acknowledged_after if acknowledged_after else None,
    )


def test_alerts_handled_late_against_the_teams_policy(sam, caseload, south):
    stuck = caseload["stuck"]
    late = _alert(stuck, raised_ago=timedelta(hours=3), acknowledged_after=timedelta(hours=1))
    _alert(stuck, raised_ago=timedelta(hours=3), acknowledged_after=timedelta(minutes=5))
    open_late = _alert(caseload["better"], raised_ago=timedelta(hours=2), acknowledged_after=None)
    _alert(caseload["early"], raised_ago=timedelta(minutes=2), acknowledged_after=None)
    south_patient = Patient.objects.get(display_name="Stuck South")
    _alert(south_patient, raised_ago=timedelta(hours=3), acknowledged_after=timedelta(hours=2))

    rows = late_alerts_for(sam)
    assert [row.alert_id for row in rows] == [open_late.id, late.id]
    assert rows[0].still_open and rows[0].minutes_late >= 100
    assert rows[1].minutes_late == 45 and rows[1].late_by == "45 min"


@pytest.fixture
def no_suggestion_sources(monkeypatch):
    """As in a service with no AI suggestions (the ai domain registers a source when installed)."""
    monkeypatch.setattr(suggestions, "_SOURCES", {})


def test_the_page_is_for_supervisors_and_audits_who_was_listed(
    as_user, sam, ben, dana, caseload, no_suggestion_sources
):
    for other in (ben, dana):
        response = as_user(other).get("/supervision/")
        assert response.status_code == 403
        assert "for supervisors" in response.content.decode()
    response = as_user(sam).get("/supervision/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stuck North" in html and "Better North" not in html and "Stuck South" not in html
    assert "No AI suggestions in this service yet" in html
    listed = AuditEvent.objects.filter(action=AuditAction.SUPERVISION_LIST_VIEWED)
    assert listed.count() == 2 and {e.purpose for e in listed} == {"CAREMGT"}


def test_a_registered_suggestion_source_fills_the_section(
    as_user, sam, caseload, no_suggestion_sources
):
    stuck = caseload["stuck"]
    row = suggestions.OverriddenSuggestion(
        patient_id=stuck.id,
        patient_name=stuck.display_name,
        suggested="Step up to high-intensity therapy",
        decided="Stayed at step 2",
        decided_by="Ben",
        decided_at=clock.now(),
        reason="Patient prefers to wait",
    )
    suggestions.register_override_source("test", lambda user, since: [row])
    try:
        listing = review_list_for(sam)
        html = as_user(sam).get("/supervision/").content.decode()
    finally:
        suggestions.unregister_override_source("test")
    assert listing.overridden == [row]
    assert "Stayed at step 2" in html and "No AI suggestions" not in html
    assert review_list_for(sam).overridden is None


def test_a_supervisor_signs_off_and_it_is_audited_and_encrypted(sam, ada_patient):
    note = record_case_review(sam, ada_patient, note=NOTE, outcome="")
    signed = record_case_review(sam, ada_patient, note="", outcome=ReviewOutcome.STEP_UP)
    assert not note.is_sign_off and signed.is_sign_off
    added = AuditEvent.objects.get(action=AuditAction.CASE_REVIEW_NOTE_ADDED)
    signed_off = AuditEvent.objects.get(action=AuditAction.CASE_REVIEW_SIGNED_OFF)
    assert signed_off.detail["outcome"] == "step_up" and signed_off.purpose == "CAREMGT"
    assert NOTE not in str(added.detail)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CaseReview._meta.db_table)
        cursor.execute(f"SELECT note FROM {table} WHERE outcome = ''")  # noqa: S608
        (stored,) = cursor.fetchone()
    assert "PHQ-9" not in stored


def test_only_the_teams_supervisor_may_review(ben, dana, cleo, ada, ada_patient):
    with pytest.raises(PermissionDenied):
        record_case_review(ben, ada_patient, note=NOTE)
    with pytest.raises(PermissionDenied):
        record_case_review(ada, ada_patient, note=NOTE)
    for outsider in (dana, cleo):
        with pytest.raises(NotFound):
            record_case_review(outsider, ada_patient, note=NOTE)
    assert not CaseReview.objects.exists()


def test_a_review_needs_a_note_or_a_decision(sam, ada_patient):
    with pytest.raises(InvalidInput, match="note"):
        record_case_review(sam, ada_patient, note="  ")
    with pytest.raises(InvalidInput, match="outcome"):
        record_case_review(sam, ada_patient, note=NOTE, outcome="discharge")
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_REVIEW_NOTE_ADDED).exists()


def test_the_care_team_sees_reviews_and_outsiders_get_404(as_user, sam, ben, dana, ada_patient):
    record_case_review(sam, ada_patient, note=NOTE, outcome=ReviewOutcome.CONTINUE)
    page = f"/supervision/patients/{ada_patient.id}/"
    response = as_user(ben).get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTE in html and "Continue the current plan" in html
    assert "Save the review" not in html  # the form is the supervisor's
    assert as_user(dana).get(page).status_code == 404
    assert as_user(dana).post(page + "reviews", {"note": NOTE}).status_code == 404
    assert as_user(ben).post(page + "reviews", {"note": NOTE}).status_code == 403
    assert CaseReview.objects.count() == 1
    assert reviews_of(Patient.objects.get(id=ada_patient.id)) == []  # fails closed
    assert len(reviews_of(patient_visible_to(ben, ada_patient.id))) == 1


def test_the_form_saves_and_shows_errors_tied_to_fields(as_user, sam, ada_patient):
    client = as_user(sam)
    url = f"/supervision/patients/{ada_patient.id}/reviews"
    response = client.post(url, {"note": "", "outcome": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-describedby="review-note-hint review-note-error"' in html
    response = client.post(url, {"note": NOTE, "outcome": "discuss_with_care_manager"})
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/patients/{ada_patient.id}/"
    assert CaseReview.objects.get().outcome == ReviewOutcome.DISCUSS


def test_export_and_erasure_carry_the_reviews(sam, ada, ada_patient):
    """The FHIR shape of the export is tested with the rest of the export in
    careloop/rights/tests/test_export_workspace.py."""
    record_case_review(sam, ada_patient, note=NOTE, outcome=ReviewOutcome.STEP_UP)
    entry = registered()["supervision.CaseReview"]
    assert entry.rows is not None and entry.erase is not None
    scope = PatientScope(patient=ada_patient, user=ada)
    assert [row.note for row in entry.rows(scope)] == [NOTE]
    assert entry.erase(scope) == 1
    assert not CaseReview.objects.exists()


def test_the_patient_page_partial_shows_reviews_and_the_form_only_to_the_supervisor(
    rf, sam, ben, ada_patient
):
    from django.template import Context, Template

    record_case_review(sam, ada_patient, note=NOTE, outcome=ReviewOutcome.CONTINUE)
    template = Template("{% load supervision_tags %}{% case_reviews_panel patient %}")
    for reader, has_form in ((sam, True), (ben, False)):
        request = rf.get(f"/patients/{ada_patient.id}/")
        request.user = reader
        patient = patient_visible_to(reader, ada_patient.id)
        html = template.render(Context({"request": request, "patient": patient}))
        assert NOTE in html and "Signed off:" in html
        assert ("Save the review" in html) is has_form
        assert f'name="next" value="/patients/{ada_patient.id}/"' in html or not has_form
