"""Exporters of the patient's care records, one per record type: each yields the FHIR resources
of the patient's rows, read in bounded chunks. The registry is in export.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django_otp.plugins.otp_totp.models import TOTPDevice

from careloop.accounts.models import User
from careloop.assessments.models import Assessment
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import events_for_patient
from careloop.care.models import Patient, TreatmentEpisode
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
from careloop.fhir.models import ImportedResource
from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.journal.models import JournalEntry
from careloop.messaging.models import Message
from careloop.monitoring.models import CheckIn, MeasurementPlan
from careloop.notifications.models import Notification, PushSubscription
from careloop.privacy.models import ConsentDecision
from careloop.privacy.policy import DataStream, PurposeOfUse, consent_basis
from careloop.rights.data import export_resources as shapes

CHUNK = 2000
_LOCAL_TO_FHIR = {"Patient": "Patient", "Assessment": "QuestionnaireResponse"}
_NOTIFICATION_STATUS = {"pending": "preparation", "sent": "completed", "failed": "not-done"}


@dataclass(frozen=True)
class ExportScope:
    patient: Patient
    user: User | None  # the patient's login, if any


Exporter = Callable[[ExportScope], Iterator[Resource]]


def patient(scope: ExportScope) -> Iterator[Resource]:
    patient = scope.patient
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
    team = patient.care_team
    members = [TeamMember(m.user_id, m.user.role) for m in team.memberships.select_related("user")]
    yield care_team_resource(team.id, team.name, sorted(members, key=lambda m: str(m.user_id)))
    for member in team.memberships.select_related("user").order_by("user_id"):
        yield practitioner_resource(member.user)


def episodes(scope: ExportScope) -> Iterator[Resource]:
    episodes = TreatmentEpisode.objects.filter(patient=scope.patient).order_by("started_on")
    for episode in episodes.iterator(CHUNK):
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


def assessments(scope: ExportScope) -> Iterator[Resource]:
    """A QuestionnaireResponse (the answers) and the total-score Observation of each."""
    rows = Assessment.objects.filter(patient=scope.patient).order_by("completed_at")
    for assessment in rows.iterator(CHUNK):
        try:
            definition = get_instrument(assessment.instrument_id)
        except UnknownInstrument:
            continue  # an instrument withdrawn from the library: its rows stay in the HTML page
        author = reference("Patient", scope.patient.id)
        if assessment.items_available:
            yield questionnaire_response_resource(assessment, definition, author=author)
        if assessment.score_total is not None:
            yield observation_resource(assessment, definition, TOTAL)


def measurement_plans(scope: ExportScope) -> Iterator[Resource]:
    plans = MeasurementPlan.objects.filter(patient=scope.patient).prefetch_related("items")
    for plan in plans.order_by("created_at"):
        yield measurement_plan_resource(plan, list(plan.items.all()))


def checkins(scope: ExportScope) -> Iterator[Resource]:
    rows = CheckIn.objects.filter(patient=scope.patient).order_by("completed_at")
    for checkin in rows.iterator(CHUNK):
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


def journal(scope: ExportScope) -> Iterator[Resource]:
    rows = JournalEntry.objects.filter(patient=scope.patient).order_by("created_at")
    for entry in rows.iterator(CHUNK):
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


def notifications(scope: ExportScope) -> Iterator[Resource]:
    if scope.user is None:
        return
    rows = Notification.objects.filter(recipient=scope.user).order_by("created_at")
    for note in rows.iterator(CHUNK):
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


def imports(scope: ExportScope) -> Iterator[Resource]:
    assessments = Assessment.objects.filter(patient=scope.patient).values("id")
    rows = ImportedResource.objects.filter(
        service_id=scope.patient.service_id, local_type="Patient", local_id=scope.patient.id
    ) | ImportedResource.objects.filter(
        service_id=scope.patient.service_id, local_type="Assessment", local_id__in=assessments
    )
    for row in rows.order_by("imported_at").iterator(CHUNK):
        target = reference(_LOCAL_TO_FHIR.get(row.local_type, row.local_type), row.local_id)
        yield provenance_resource(row, target)


def devices(scope: ExportScope) -> Iterator[Resource]:
    if scope.user is None:
        return
    for totp in TOTPDevice.objects.filter(user=scope.user).order_by("id"):
        yield shapes.device(
            record_id=f"totp-{totp.id}",
            patient_id=scope.patient.id,
            name=f"Two-step sign-in app ({totp.name})",
            active=bool(totp.confirmed),
            added=None,
        )
    for push in PushSubscription.objects.filter(user=scope.user).order_by("created_at"):
        yield shapes.device(
            record_id=push.id,
            patient_id=scope.patient.id,
            name="Web browser allowed to show reminders",
            active=True,
            added=push.created_at,
        )


def consents(scope: ExportScope) -> Iterator[Resource]:
    """Every decision, each marked superseded once a later one for its purpose and stream came."""
    rows = list(ConsentDecision.objects.filter(patient=scope.patient).order_by("decided_at", "id"))
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


def messages(scope: ExportScope) -> Iterator[Resource]:
    rows = Message.objects.filter(patient=scope.patient).order_by("sent_at")
    for message in rows.iterator(CHUNK):
        yield communication_resource(
            message, care_team_id=scope.patient.care_team_id, include_text=True
        )


def audit_rows_about(patient: Patient) -> Iterator[AuditEvent]:
    """The patient's audit trail, oldest first (rows name them only by a keyed HMAC)."""
    rows = events_for_patient(service_id=patient.service_id, patient_id=patient.id)
    yield from rows.order_by("occurred_at", "seq").iterator(CHUNK)


def audit(scope: ExportScope) -> Iterator[Resource]:
    own_id = scope.user.id if scope.user else None
    for event in audit_rows_about(scope.patient):
        yield audit_event_resource(
            event,
            patient_id=scope.patient.id,
            actor_is_patient=own_id is not None and event.actor_id == own_id,
            include_network=False,
        )


def covered_by(_: ExportScope) -> Iterator[Resource]:
    """Record types whose content travels inside another type's resources (see retention)."""
    return iter(())


# Record type (model label) → its exporter. Credentials (sessions, app tokens) are not in the
# Bundle; the readable page lists them (data_views.py). The inventory test checks this table.
