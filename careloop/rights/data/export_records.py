"""Shapers of the patient's care records, one per record type: each turns the rows its owning
domain hands over (careloop.core.patient_data registry, `rows`) into FHIR resources. They read
nothing themselves. The table of shapers, in Bundle order, is in export.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from careloop.care.patient_data import care_team_for_export
from careloop.care.types import CareStep
from careloop.core.patient_data import PatientScope
from careloop.fhir.mapping.audit_event import audit_event_resource
from careloop.fhir.mapping.care_plan import measurement_plan_resource
from careloop.fhir.mapping.care_team import TeamMember, care_team_resource
from careloop.fhir.mapping.common import Resource, instant, reference
from careloop.fhir.mapping.communication import communication_resource
from careloop.fhir.mapping.consent import consent_resource
from careloop.fhir.mapping.observation import TOTAL, observation_resource
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.mapping.practitioner import practitioner_resource
from careloop.fhir.mapping.provenance import provenance_resource
from careloop.fhir.mapping.questionnaire_response import questionnaire_response_resource
from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.monitoring.supervision.types import ReviewOutcome
from careloop.privacy.policy import DataStream, PurposeOfUse, consent_basis
from careloop.rights.data import export_resources as shapes

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment
    from careloop.audit.models import AuditEvent
    from careloop.care.models import Patient, SteppedCareChange, TreatmentEpisode
    from careloop.fhir.models import ImportedResource
    from careloop.journal.models import JournalEntry
    from careloop.messaging.models import Message
    from careloop.monitoring.models import CheckIn, MeasurementPlan, ReminderPreference
    from careloop.monitoring.supervision.models import CaseReview
    from careloop.notifications.models import Notification, PushSubscription
    from careloop.privacy.models import ConsentDecision

_LOCAL_TO_FHIR = {"Patient": "Patient", "Assessment": "QuestionnaireResponse"}
_NOTIFICATION_STATUS = {"pending": "preparation", "sent": "completed", "failed": "not-done"}


ExportScope = PatientScope
# (the patient and their login, the rows of one record type) → that type's resources
Shaper = Callable[[ExportScope, Iterable[Any]], Iterator[Resource]]


def patient(scope: ExportScope, rows: Iterable[Patient]) -> Iterator[Resource]:
    for patient in rows:
        yield from _patient(scope, patient)


def _patient(scope: ExportScope, patient: Patient) -> Iterator[Resource]:
    base = patient_resource(patient)
    user = scope.user
    yield shapes.with_contact_details(
        base,
        email=user.email if user else "",
        phone=user.phone_number if user else "",
        extras={
            "username": user.username if user else "",
            "ethnicity": patient.ethnicity,
            "deprivation-quintile": patient.deprivation_quintile,
            "time-zone": patient.time_zone,
            "erasure-requested": instant(patient.erasure_requested_at)
            if patient.erasure_requested_at
            else "",
        },
    )
    team, memberships = care_team_for_export(patient)
    members = [TeamMember(m.user_id, m.user.role) for m in memberships]
    yield care_team_resource(team.id, team.name, sorted(members, key=lambda m: str(m.user_id)))
    for member in memberships:
        yield practitioner_resource(member.user)


def episodes(scope: ExportScope, rows: Iterable[TreatmentEpisode]) -> Iterator[Resource]:
    for episode in rows:
        yield shapes.episode_of_care(
            episode_id=episode.id,
            patient_id=episode.patient_id,
            care_team_id=scope.patient.care_team_id,
            referred_on=episode.referred_on,
            started_on=episode.started_on,
            ended_on=episode.ended_on,
            ending=episode.ending,
            sessions_attended=episode.treatment_sessions_attended,
        )


def step_changes(_: ExportScope, rows: Iterable[SteppedCareChange]) -> Iterator[Resource]:
    """Each change of the level of care (stepped care), with the clinician's reason."""
    for change in rows:
        to_step = CareStep(change.to_step).label
        summary = (
            f"Changed from {CareStep(change.from_step).label} to {to_step}"
            if change.from_step is not None
            else f"Set to {to_step}"
        )
        yield shapes.clinical_impression(
            record_id=change.id,
            patient_id=change.patient_id,
            code="stepped-care-change",
            code_text="Level of care (stepped care) changed",
            occurred=change.changed_at,
            assessor_id=change.changed_by_id,
            summary=summary,
            note=change.reason,
            episode_id=change.episode_id,
        )


def case_reviews(_: ExportScope, rows: Iterable[CaseReview]) -> Iterator[Resource]:
    """Each review of the patient's care by the team's consultant: a note, or a sign-off with
    its decision."""
    for review in rows:
        outcome = ReviewOutcome(review.outcome).label if review.outcome else ""
        yield shapes.clinical_impression(
            record_id=review.id,
            patient_id=review.patient_id,
            code="case-review",
            code_text="Review of my care by the team's consultant",
            occurred=review.reviewed_at,
            assessor_id=review.reviewer_id,
            summary=f"Signed off: {outcome}" if outcome else "Review note",
            note=review.note,
            episode_id=review.episode_id,
        )


def assessments(scope: ExportScope, rows: Iterable[Assessment]) -> Iterator[Resource]:
    """A QuestionnaireResponse (the answers) and the total-score Observation of each."""
    for assessment in rows:
        try:
            definition = get_instrument(assessment.instrument_id)
        except UnknownInstrument:
            continue  # an instrument withdrawn from the library: its rows stay in the HTML page
        author = reference("Patient", scope.patient.id)
        if assessment.items_available:
            yield questionnaire_response_resource(assessment, definition, author=author)
        if assessment.score_total is not None:
            yield observation_resource(assessment, definition, TOTAL)


def measurement_plans(_: ExportScope, rows: Iterable[MeasurementPlan]) -> Iterator[Resource]:
    for plan in rows:  # items prefetched by monitoring
        yield measurement_plan_resource(plan, list(plan.items.all()))


def checkins(_: ExportScope, rows: Iterable[CheckIn]) -> Iterator[Resource]:
    for checkin in rows:
        yield shapes.mood_observation(
            record_id=checkin.id,
            patient_id=checkin.patient_id,
            code="checkin",
            text="Daily mood check-in (0 very low - 10 very good)",
            mood=checkin.mood,
            note=checkin.note,
            effective=checkin.completed_at,
            issued=checkin.recorded_at,
        )


def journal(_: ExportScope, rows: Iterable[JournalEntry]) -> Iterator[Resource]:
    for entry in rows:
        yield shapes.mood_observation(
            record_id=entry.id,
            patient_id=entry.patient_id,
            code="journal",
            text="Journal entry"
            + (" (shared with my care team)" if entry.shared_with_team else ""),
            mood=entry.mood,
            note=entry.body,
            effective=entry.created_at,
            issued=entry.created_at,
        )


def notifications(scope: ExportScope, rows: Iterable[Notification]) -> Iterator[Resource]:
    for note in rows:
        yield shapes.communication(
            record_id=note.id,
            patient_id=scope.patient.id,
            category="notification",
            category_text="Reminder or message sent to me",
            status=_NOTIFICATION_STATUS.get(note.status, "unknown"),
            sent=note.sent_at or note.created_at,
            medium=note.channel,
            recipient=[reference("Patient", scope.patient.id)],
            payload=[note.subject, note.body],
        )


def imports(_: ExportScope, rows: Iterable[ImportedResource]) -> Iterator[Resource]:
    for row in rows:
        target = reference(_LOCAL_TO_FHIR.get(row.local_type, row.local_type), row.local_id)
        yield provenance_resource(row, target)


def totp_devices(scope: ExportScope, rows: Iterable[Any]) -> Iterator[Resource]:
    for totp in rows:
        yield shapes.device(
            record_id=f"totp-{totp.id}",
            patient_id=scope.patient.id,
            name=f"Two-step sign-in app ({totp.name})",
            active=bool(totp.confirmed),
            added=None,
        )


def push_subscriptions(scope: ExportScope, rows: Iterable[PushSubscription]) -> Iterator[Resource]:
    for push in rows:
        yield shapes.device(
            record_id=push.id,
            patient_id=scope.patient.id,
            name="Web browser allowed to show reminders",
            active=True,
            added=push.created_at,
        )


def reminder_preferences(
    scope: ExportScope, rows: Iterable[ReminderPreference]
) -> Iterator[Resource]:
    for pref in rows:
        quiet = (
            "none"
            if pref.quiet_starts == pref.quiet_ends
            else f"{pref.quiet_starts:%H:%M} to {pref.quiet_ends:%H:%M}"
        )
        if pref.paused:
            paused = "until switched back on"
        elif pref.paused_until:
            paused = f"until {pref.paused_until.isoformat()}"
        else:
            paused = "no"
        words = (
            f"Channel: {pref.get_channel_display()}; time of day: {pref.remind_at:%H:%M}; "
            f"quiet hours: {quiet}; paused: {paused}."
        )
        yield shapes.reminder_settings(
            record_id=pref.id, patient_id=scope.patient.id, words=words, updated=pref.updated_at
        )


def consents(_: ExportScope, decisions: Iterable[ConsentDecision]) -> Iterator[Resource]:
    """Every decision, each marked superseded once a later one for its purpose and stream came."""
    rows = list(decisions)
    next_at: dict[uuid.UUID, datetime] = {}
    latest: dict[tuple[str, str], ConsentDecision] = {}
    for decision in rows:
        earlier = latest.get((decision.purpose, decision.stream))
        if earlier is not None:
            next_at[earlier.id] = decision.decided_at
        latest[(decision.purpose, decision.stream)] = decision
    for decision in rows:
        basis = consent_basis(PurposeOfUse(decision.purpose), DataStream(decision.stream))
        yield consent_resource(decision, basis=basis.value, superseded_at=next_at.get(decision.id))


def messages(scope: ExportScope, rows: Iterable[Message]) -> Iterator[Resource]:
    for message in rows:
        yield communication_resource(
            message, care_team_id=scope.patient.care_team_id, include_text=True
        )


def audit(scope: ExportScope, rows: Iterable[AuditEvent]) -> Iterator[Resource]:
    own_id = scope.user.id if scope.user else None
    for event in rows:
        yield audit_event_resource(
            event,
            patient_id=scope.patient.id,
            actor_is_patient=own_id is not None and event.actor_id == own_id,
            include_network=False,
        )
