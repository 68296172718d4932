"""'Who accessed my data': the audit trail of one patient's record, in plain language.

Built on careloop.audit.selectors.events_for_patient (the log names patients only by keyed HMAC).
Each action code maps to a phrase through one table; a code not in the table still appears, with
a generic phrase, so the patient never sees less than the log holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import events_for_patient
from careloop.care.models import Patient, TeamMembership
from careloop.privacy.consent_texts import PURPOSE_NAMES, STREAM_NAMES
from careloop.privacy.policy import DataStream, PurposeOfUse

# What happened, completing "<who> … ". Keep to things a patient recognises.
ACTION_PHRASES: dict[str, str] = {
    "patient.registered": "registered you with the service",
    "patient.viewed": "opened your record",
    "patient.listed_in_caseload": "saw you in their list of patients (name and latest scores)",
    "assessment.history_viewed": "viewed your questionnaire results",
    "assessment.submitted": "saved a questionnaire",
    "checkin.submitted": "saved a mood check-in",
    "measurement_plan.created": "set up your questionnaire schedule",
    "measurement_plan.item_changed": "changed your questionnaire schedule",
    "follow_up.offered": "asked you to answer a few more questions after a worrying answer",
    "follow_up.completed": "saved your answers to the extra questions",
    "alert.raised": "raised a safety alert so your care team could check on you",
    "alert.notified": "told your care team about a safety alert",
    "alert.viewed": "looked at a safety alert about you",
    "alert.acknowledged": "picked up a safety alert about you",
    "alert.actioned": "recorded what they did about a safety alert",
    "alert.closed": "closed a safety alert",
    "alert.escalated": "passed a safety alert to the next person on call",
    "alert.fallback_fired": "used the backup way to reach your care team about an alert",
    "safety_plan.viewed": "viewed your safety plan",
    "safety_plan.version_saved": "saved your safety plan",
    "journal.entry_written": "wrote in your journal",
    "journal.shared_entries_viewed": "read the journal entries you shared",
    "journal.sharing_changed": "changed what you share from your journal",
    "message.sent": "sent a message",
    "message.read": "read a message",
    "message.thread_viewed": "opened your messages",
    "fhir.bulk_patient_exported": "exported your record to another system",
    "privacy.consent_given": "switched on a privacy choice",
    "privacy.consent_withdrawn": "switched off a privacy choice",
    "privacy.break_glass_started": "opened your record with EMERGENCY ACCESS",
    "privacy.break_glass_read": "viewed your record under EMERGENCY ACCESS",
    "privacy.break_glass_ended": "emergency access to your record ended",
    "privacy.break_glass_reviewed": "checked that an emergency access to your record was justified",
}
GENERIC_PHRASE = "used your record"
BREAK_GLASS_ACTIONS = frozenset(
    {"privacy.break_glass_started", "privacy.break_glass_read", "privacy.break_glass_ended"}
)


@dataclass(frozen=True)
class AccessLine:
    occurred_at: datetime
    who: str
    relation: str
    what: str
    why: str
    action: str
    is_emergency: bool

    @property
    def sentence(self) -> str:
        when = date_format(timezone.localtime(self.occurred_at), "j F Y \\a\\t H:i")
        who = f"{self.who} ({self.relation})" if self.relation else self.who
        why = f" for {self.why}" if self.why else ""
        return f"{who} {self.what} on {when}{why}."


def _who(event: AuditEvent, patient: Patient, team_ids: set[uuid.UUID]) -> tuple[str, str]:
    actor: User | None = event.actor
    if actor is None:
        return _("Careloop"), _("automatic")
    if actor.id == patient.user_id:
        return _("You"), ""
    name = actor.get_full_name() or actor.get_username()
    if event.action in BREAK_GLASS_ACTIONS or event.purpose == PurposeOfUse.ETREAT:
        return name, _("a clinician outside your care team, in an emergency")
    if actor.id in team_ids:
        relation = (
            _("your clinician's supervisor")
            if actor.role == Role.SUPERVISOR
            else _("your clinician")
        )
        return name, relation
    return name, str(Role(actor.role).label) if actor.role in Role.values else actor.role


def _what(event: AuditEvent) -> str:
    phrase = ACTION_PHRASES.get(event.action, GENERIC_PHRASE)
    detail = event.detail or {}
    stream = detail.get("stream")
    if event.action.startswith("privacy.consent_") and stream in set(DataStream):
        purpose = detail.get("purpose", "")
        purpose_name = PURPOSE_NAMES.get(PurposeOfUse(purpose), "") if purpose else ""
        phrase = f"{phrase}: {STREAM_NAMES[DataStream(stream)]} for {purpose_name}"
    return phrase


def _why(event: AuditEvent, patient: Patient) -> str:
    if event.actor_id is not None and event.actor_id == patient.user_id:
        return ""  # the patient's own actions need no reason
    try:
        return PURPOSE_NAMES[PurposeOfUse(event.purpose)]
    except ValueError:
        return ""


def access_log_for(patient: Patient, *, limit: int = 500) -> list[AccessLine]:
    """The newest `limit` events about `patient` (who must come from own_patient_record)."""
    team_ids = set(
        TeamMembership.objects.filter(team_id=patient.care_team_id).values_list(
            "user_id", flat=True
        )
    )
    events = events_for_patient(service_id=patient.service_id, patient_id=patient.id)[:limit]
    return [
        AccessLine(
            occurred_at=event.occurred_at,
            who=who,
            relation=relation,
            what=_what(event),
            why=_why(event, patient),
            action=event.action,
            is_emergency=event.action in BREAK_GLASS_ACTIONS,
        )
        for event in events
        for who, relation in [_who(event, patient, team_ids)]
    ]
