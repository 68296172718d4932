"""Stepped care (#13): one write path (validated, audited, who may), reads through the access
decision (outsiders 404, fails closed), the registry's cheap current-step annotation, and the
patient data registry (export + erasure)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.models import Patient, SteppedCareChange, TreatmentEpisode
from careloop.care.selectors import (
    CURRENT_STEP,
    patient_visible_to,
    patients_visible_to,
    step_markers_of,
    stepped_care_of,
    with_current_step,
)
from careloop.care.services import change_step
from careloop.care.types import CareStep, EpisodeEnding
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied
from careloop.core.patient_data import PatientScope, registered
from careloop.rights.data.export import iter_resources

REASON = "Two sessions of guided self-help without change; agreed with Ada to step up."


@pytest.fixture
def episode(ada_patient) -> TreatmentEpisode:
    today = clock.now().date()
    return TreatmentEpisode.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        referred_on=today - timedelta(days=70),
        started_on=today - timedelta(days=63),
    )


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_a_team_clinician_changes_the_step_and_it_is_audited_without_the_reason(ben, episode):
    first = change_step(ben, episode, CareStep.LOW_INTENSITY, "Starting guided self-help.")
    second = change_step(ben, episode, CareStep.HIGH_INTENSITY, REASON)

    assert first.from_step is None and first.to_step == CareStep.LOW_INTENSITY
    assert second.from_step == CareStep.LOW_INTENSITY and second.is_step_up
    events = _events(AuditAction.CARE_STEP_CHANGED)
    assert len(events) == 2
    assert events[-1].detail["from_step"] == 2 and events[-1].detail["to_step"] == 3
    assert REASON not in str(events[-1].detail)
    assert events[-1].purpose == "TREAT"


def test_the_reason_is_encrypted_at_rest(ben, episode):
    change_step(ben, episode, CareStep.LOW_INTENSITY, REASON)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(SteppedCareChange._meta.db_table)
        cursor.execute(f"SELECT reason FROM {table}")  # noqa: S608  # the model's own table
        (stored,) = cursor.fetchone()
    assert "self-help" not in stored
    assert SteppedCareChange.objects.get().reason == REASON


def test_the_teams_supervisor_may_change_the_step(sam, episode):
    change = change_step(sam, episode, CareStep.SPECIALIST, "Needs the specialist team.")
    assert change.to_step == CareStep.SPECIALIST


@pytest.mark.parametrize(
    ("step", "reason", "message"),
    [
        (9, REASON, "step"),
        (CareStep.LOW_INTENSITY, "   ", "reason"),
        (CareStep.LOW_INTENSITY, "x" * 2001, "reason"),
    ],
)
def test_invalid_changes_are_refused_and_nothing_is_written(ben, episode, step, reason, message):
    with pytest.raises(InvalidInput, match=message):
        change_step(ben, episode, step, reason)
    assert not SteppedCareChange.objects.exists()
    assert not _events(AuditAction.CARE_STEP_CHANGED)


def test_the_same_step_again_and_an_ended_episode_are_refused(ben, episode):
    change_step(ben, episode, CareStep.LOW_INTENSITY, REASON)
    with pytest.raises(InvalidInput, match="already at"):
        change_step(ben, episode, CareStep.LOW_INTENSITY, REASON)
    TreatmentEpisode.objects.filter(id=episode.id).update(ending=EpisodeEnding.COMPLETED)
    with pytest.raises(InvalidInput, match="ended"):
        change_step(ben, episode, CareStep.HIGH_INTENSITY, REASON)


def test_outsiders_get_not_found_and_the_patient_may_not_change_it(ada, dana, cleo, episode):
    for outsider in (dana, cleo):
        with pytest.raises(NotFound):
            change_step(outsider, episode, CareStep.LOW_INTENSITY, REASON)
    with pytest.raises(PermissionDenied):
        change_step(ada, episode, CareStep.LOW_INTENSITY, REASON)
    assert not SteppedCareChange.objects.exists()


def test_reads_go_through_the_access_decision_and_fail_closed(ben, ada_patient, episode):
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Start.")
    change_step(ben, episode, CareStep.HIGH_INTENSITY, REASON)

    opened = patient_visible_to(ben, ada_patient.id)
    stepped = stepped_care_of(opened)
    assert stepped.current == CareStep.HIGH_INTENSITY
    assert [c.to_step for c in stepped.history] == [CareStep.HIGH_INTENSITY, CareStep.LOW_INTENSITY]
    markers = step_markers_of(opened)
    assert [m.to_step for m in markers] == [CareStep.LOW_INTENSITY, CareStep.HIGH_INTENSITY]
    assert markers[0].changed_on <= clock.now().date() + timedelta(days=1)

    raw = Patient.objects.get(id=ada_patient.id)  # no selector opened it
    assert stepped_care_of(raw).history == [] and step_markers_of(raw) == []


def test_current_step_annotation_filters_in_one_query_per_page(ben, ada_patient, episode, north):
    others = [
        Patient.objects.create(service=north.service, care_team=north, display_name=f"P{i}")
        for i in range(5)
    ]
    for patient in others[:3]:
        other_episode = TreatmentEpisode.objects.create(
            service=north.service,
            patient=patient,
            referred_on=clock.now().date(),
            started_on=clock.now().date(),
        )
        change_step(ben, other_episode, CareStep.LOW_INTENSITY, "Start.")
    change_step(ben, episode, CareStep.HIGH_INTENSITY, REASON)

    visible = with_current_step(patients_visible_to(ben))
    with CaptureQueriesContext(connection) as queries:
        steps = {p.display_name: getattr(p, CURRENT_STEP) for p in visible}
    assert len(queries) == 1
    assert steps["Ada Test"] == CareStep.HIGH_INTENSITY
    assert steps["P0"] == CareStep.LOW_INTENSITY and steps["P4"] is None
    high = with_current_step(patients_visible_to(ben)).filter(
        **{CURRENT_STEP: CareStep.HIGH_INTENSITY}
    )
    assert list(high.values_list("display_name", flat=True)) == ["Ada Test"]
    # an ended episode's step is no longer current
    TreatmentEpisode.objects.filter(id=episode.id).update(ending=EpisodeEnding.COMPLETED)
    assert not with_current_step(patients_visible_to(ben)).filter(**{CURRENT_STEP: 3}).exists()


def test_the_form_changes_the_step_and_returns_to_the_patient_page(as_user, ben, episode):
    client = as_user(ben)
    url = f"/care/episodes/{episode.id}/step"
    response = client.post(url, {"step": "2", "reason": REASON, "next": "/x/?y=1"})
    assert response.status_code == 302 and response["Location"] == "/x/?y=1"
    response = client.post(url, {"step": "3", "reason": REASON, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{episode.patient_id}/"
    assert SteppedCareChange.objects.count() == 2


def test_the_form_shows_errors_tied_to_their_fields(as_user, ben, episode):
    response = as_user(ben).post(f"/care/episodes/{episode.id}/step", {"step": "", "reason": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-describedby="step-error"' in html
    assert 'aria-describedby="step-reason-hint step-reason-error"' in html
    assert 'id="step-reason-error"' in html
    assert not SteppedCareChange.objects.exists()


def test_outsiders_get_404_from_the_form(as_user, dana, cleo, episode):
    for outsider in (dana, cleo):
        response = as_user(outsider).post(
            f"/care/episodes/{episode.id}/step", {"step": "2", "reason": REASON}
        )
        assert response.status_code == 404
    assert not SteppedCareChange.objects.exists()


def test_the_partial_renders_for_the_team_with_the_form_only_for_writers(rf, ben, ada, episode):
    from django.template import Context, Template

    change_step(ben, episode, CareStep.LOW_INTENSITY, REASON)
    template = Template("{% load stepped_care %}{% stepped_care_panel patient %}")
    request = rf.get("/patients/x/")
    request.user = ben
    html = template.render(
        Context({"request": request, "patient": patient_visible_to(ben, episode.patient_id)})
    )
    assert "Step 2: low-intensity guided self-help" in html
    assert "Save the step" in html and REASON in html


def test_export_and_erasure_carry_the_step_history(ben, ada_patient, ada, episode):
    change_step(ben, episode, CareStep.LOW_INTENSITY, REASON)
    entry = registered()["care.SteppedCareChange"]
    scope = PatientScope(patient=ada_patient, user=ada)
    assert entry.rows is not None and entry.erase is not None
    assert [row.reason for row in entry.rows(scope)] == [REASON]

    impressions = [
        r for r in iter_resources(ada_patient) if r["resourceType"] == "ClinicalImpression"
    ]
    assert impressions[0]["note"] == [{"text": REASON}]
    assert "Step 2" in impressions[0]["summary"]

    assert entry.erase(scope) == 1
    assert not SteppedCareChange.objects.exists()
