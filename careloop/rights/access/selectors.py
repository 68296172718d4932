"""'Who accessed my data': the audit trail of one patient's record, in plain language.

Built on careloop.audit.selectors.events_for_patient (the log names patients only by keyed HMAC).
Each action code maps to a phrase through one table; a code not in the table still appears, with
a generic phrase, so the patient never sees less than the log holds.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from careloop.accounts.types import Role
from careloop.audit.selectors import events_for_patient
from careloop.audit.types import AuditAction
from careloop.care.patient_data import care_team_user_ids
from careloop.privacy.consent_texts import PURPOSE_NAMES, STREAM_NAMES
from careloop.privacy.policy import DataStream, PurposeOfUse

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.audit.models import AuditEvent
    from careloop.care.models import Patient

# What happened, completing "<who> … ". Keep to things a patient recognises. Every AuditAction
# recorded against a patient has a phrase here; the rest are in NOT_ABOUT_ONE_PATIENT (a test keeps
# the two covering the whole enum, so a new action cannot reach this page unworded).
ACTION_PHRASES: dict[str, str] = {
    AuditAction.PATIENT_REGISTERED: gettext_noop("registered you with the service"),
    AuditAction.PATIENT_VIEWED: gettext_noop("opened your record"),
    AuditAction.CASELOAD_VIEWED: gettext_noop(
        "saw you in their list of patients (name and latest scores)"
    ),
    AuditAction.ASSESSMENTS_VIEWED: gettext_noop("viewed your questionnaire results"),
    AuditAction.ASSESSMENT_SUBMITTED: gettext_noop("saved a questionnaire"),
    AuditAction.CHECKIN_SUBMITTED: gettext_noop("saved a mood check-in"),
    AuditAction.REMINDER_PREFERENCES_CHANGED: gettext_noop(
        "changed how and when you get reminders"
    ),
    AuditAction.MEASUREMENT_PLAN_CREATED: gettext_noop("set up your questionnaire schedule"),
    AuditAction.MEASUREMENT_PLAN_ITEM_CHANGED: gettext_noop("changed your questionnaire schedule"),
    AuditAction.FOLLOW_UP_OFFERED: gettext_noop(
        "asked you to answer a few more questions after a worrying answer"
    ),
    AuditAction.FOLLOW_UP_COMPLETED: gettext_noop("saved your answers to the extra questions"),
    AuditAction.ALERT_RAISED: gettext_noop(
        "raised a safety alert so your care team could check on you"
    ),
    AuditAction.ALERT_NOTIFIED: gettext_noop("told your care team about a safety alert"),
    AuditAction.ALERTS_VIEWED: gettext_noop("looked at a safety alert about you"),
    AuditAction.ALERT_ACKNOWLEDGED: gettext_noop("picked up a safety alert about you"),
    AuditAction.ALERT_ACTIONED: gettext_noop("recorded what they did about a safety alert"),
    AuditAction.ALERT_CLOSED: gettext_noop("closed a safety alert"),
    AuditAction.ALERT_ESCALATED: gettext_noop("passed a safety alert to the next person on call"),
    AuditAction.ALERT_FALLBACK_FIRED: gettext_noop(
        "used the backup way to reach your care team about an alert"
    ),
    AuditAction.SAFETY_PLAN_VIEWED: gettext_noop("viewed your safety plan"),
    AuditAction.SAFETY_PLAN_SAVED: gettext_noop("saved your safety plan"),
    AuditAction.JOURNAL_ENTRY_WRITTEN: gettext_noop("wrote in your journal"),
    AuditAction.JOURNAL_SHARED_ENTRIES_VIEWED: gettext_noop("read the journal entries you shared"),
    AuditAction.JOURNAL_SHARING_CHANGED: gettext_noop("changed what you share from your journal"),
    AuditAction.MESSAGE_SENT: gettext_noop("sent a message"),
    AuditAction.MESSAGE_READ: gettext_noop("read a message"),
    AuditAction.MESSAGE_THREAD_VIEWED: gettext_noop("opened your messages"),
    AuditAction.BULK_PATIENT_EXPORTED: gettext_noop("exported your record to another system"),
    AuditAction.CONSENT_GIVEN: gettext_noop("switched on a privacy choice"),
    AuditAction.CONSENT_WITHDRAWN: gettext_noop("switched off a privacy choice"),
    AuditAction.BREAK_GLASS_STARTED: gettext_noop("opened your record with EMERGENCY ACCESS"),
    AuditAction.BREAK_GLASS_READ: gettext_noop("viewed your record under EMERGENCY ACCESS"),
    AuditAction.BREAK_GLASS_ENDED: gettext_noop("emergency access to your record ended"),
    AuditAction.BREAK_GLASS_REVIEWED: gettext_noop(
        "checked that an emergency access to your record was justified"
    ),
    AuditAction.ALERT_ESCALATION_DEFERRED: gettext_noop(
        "waited for the morning before paging about a low-level safety alert"
    ),
    AuditAction.REVIEWS_VIEWED: gettext_noop(
        "saw you in the list of things waiting for a clinician's review"
    ),
    AuditAction.REVIEW_REQUESTED: gettext_noop(
        "asked a clinician to look at something in your record"
    ),
    AuditAction.REVIEW_COMPLETED: gettext_noop(
        "finished a clinician's review of something in your record"
    ),
    AuditAction.CONTACT_DETAILS_UPDATED: gettext_noop("updated your contact details"),
    AuditAction.PATIENT_DISCHARGED: gettext_noop("ended your course of care (discharge)"),
    AuditAction.AUDIT_TRAIL_VIEWED: gettext_noop("looked at the list of who accessed your record"),
    AuditAction.RESEARCH_EXTRACTED: gettext_noop(
        "included your data, without your name, in a research extract"
    ),
    AuditAction.DATA_VIEWED: gettext_noop("viewed everything the service holds about you"),
    AuditAction.DATA_EXPORTED: gettext_noop("downloaded a copy of your record"),
    AuditAction.ERASURE_REQUESTED: gettext_noop("asked for your record to be erased"),
    AuditAction.ERASURE_REQUEST_WITHDRAWN: gettext_noop(
        "withdrew the request to erase your record"
    ),
    AuditAction.ERASED: gettext_noop("erased your record"),
    AuditAction.CARE_STEP_CHANGED: gettext_noop(
        "changed the level of care you are offered (stepped care)"
    ),
    AuditAction.SUPERVISION_LIST_VIEWED: gettext_noop(
        "saw you in the consultant's list of patients to review (name and progress)"
    ),
    AuditAction.CASE_REVIEW_NOTE_ADDED: gettext_noop("wrote a note after reviewing your care"),
    AuditAction.CASE_REVIEW_SIGNED_OFF: gettext_noop("signed off a review of your care"),
    AuditAction.AI_PREDICTION_RECORDED: gettext_noop(
        "had a computer model estimate how likely your treatment is to help by week 12"
    ),
    AuditAction.AI_SUGGESTION_RECORDED: gettext_noop(
        "made a computer-assisted suggestion about your care"
    ),
    AuditAction.AI_SUGGESTION_DECIDED: gettext_noop(
        "decided whether to follow a computer-assisted suggestion about your care"
    ),
    AuditAction.AI_HUMAN_REVIEW_REQUESTED: gettext_noop(
        "asked for a person to review a decision a computer suggestion influenced"
    ),
    AuditAction.AI_HUMAN_REVIEW_ANSWERED: gettext_noop(
        "answered your request for a person to review a decision"
    ),
}
# Recorded without a patient (sign-ins, team and service settings, bulk jobs as a whole): they never
# reach a patient's page.
NOT_ABOUT_ONE_PATIENT = frozenset(
    {
        AuditAction.SIGNED_IN,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.LOCKED_OUT,
        AuditAction.MFA_ENROLLED,
        AuditAction.MFA_VERIFIED,
        AuditAction.MFA_FAILED,
        AuditAction.ACCESS_DENIED,
        AuditAction.ACCOUNT_INVITED,
        AuditAction.INVITATION_ACCEPTED,
        AuditAction.CARE_TEAM_CREATED,
        AuditAction.CARE_TEAM_MEMBER_ADDED,
        AuditAction.CARE_TEAM_MEMBER_REMOVED,
        AuditAction.CONSENT_DOCUMENT_PUBLISHED,
        AuditAction.ESCALATION_POLICY_CHANGED,
        AuditAction.ON_CALL_CHANGED,
        AuditAction.CRISIS_LINE_CONFIRMED,
        AuditAction.CRISIS_LINE_WITHDRAWN,
        AuditAction.FOLLOW_UP_SETTING_CHANGED,
        AuditAction.FHIR_CLIENT_REGISTERED,
        AuditAction.BULK_EXPORT_REQUESTED,
        AuditAction.BULK_EXPORT_COMPLETED,
        AuditAction.BULK_EXPORT_CANCELLED,
        AuditAction.BULK_FILE_DOWNLOADED,
        AuditAction.REPORT_VIEWED,
        AuditAction.REPORT_DOWNLOADED,
        AuditAction.POPULATION_SEEDED,
        AuditAction.AI_MODEL_REGISTERED,
        AuditAction.AI_MODEL_ACTIVATED,
        AuditAction.AI_MODEL_ACTIVATION_REFUSED,
        AuditAction.AI_MODEL_SWITCHED_OFF,
        AuditAction.AI_MODEL_SWITCHED_ON,
        AuditAction.AI_RULES_DRY_RUN,
        AuditAction.AI_FAIRNESS_AUDITED,
        AuditAction.AI_DRIFT_CHECKED,
    }
)
GENERIC_PHRASE = gettext_noop("used your record")  # a code from a later version than this page
BREAK_GLASS_ACTIONS = frozenset(
    {
        AuditAction.BREAK_GLASS_STARTED,
        AuditAction.BREAK_GLASS_READ,
        AuditAction.BREAK_GLASS_ENDED,
    }
)


def date_and_time(moment: datetime) -> str:
    """ "7 December 2026 at 14:05" in the page's language (month names and word order)."""
    local = timezone.localtime(moment)
    return _("%(date)s at %(time)s") % {
        "date": date_format(local, "j F Y"),
        "time": date_format(local, "H:i"),
    }


@dataclass(frozen=True)
class AccessLine:
    occurred_at: datetime
    who: str
    relation: str
    what: str
    why: str
    action: str
    is_emergency: bool
    is_own: bool = False  # the patient themself did it
    purpose: str = ""  # the event's PurposeOfUse code

    @property
    def sentence(self) -> str:
        when = date_and_time(self.occurred_at)
        who = f"{self.who} ({self.relation})" if self.relation else self.who
        words = {"who": who, "what": self.what, "when": when, "why": self.why}
        if self.why:
            return _("%(who)s %(what)s on %(when)s for %(why)s.") % words
        return _("%(who)s %(what)s on %(when)s.") % words


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
    phrase = _(ACTION_PHRASES.get(event.action, GENERIC_PHRASE))
    detail = event.detail or {}
    stream = detail.get("stream")
    if event.action.startswith("privacy.consent_") and stream in set(DataStream):
        purpose = detail.get("purpose", "")
        purpose_name = _(PURPOSE_NAMES.get(PurposeOfUse(purpose), "")) if purpose else ""
        stream_name = _(STREAM_NAMES[DataStream(stream)])
        phrase = _("%(phrase)s: %(stream)s for %(purpose)s") % {
            "phrase": phrase,
            "stream": stream_name,
            "purpose": purpose_name,
        }
    return phrase


def _why(event: AuditEvent, patient: Patient) -> str:
    if event.actor_id is not None and event.actor_id == patient.user_id:
        return ""  # the patient's own actions need no reason
    try:
        return _(PURPOSE_NAMES[PurposeOfUse(event.purpose)])
    except ValueError:
        return ""


ACCESS_LOG_LIMIT = 500  # the newest events shown (the export has every one)


def _line(event: AuditEvent, patient: Patient, team_ids: set[uuid.UUID]) -> AccessLine:
    who, relation = _who(event, patient, team_ids)
    return AccessLine(
        occurred_at=event.occurred_at,
        who=who,
        relation=relation,
        what=_what(event),
        why=_why(event, patient),
        action=event.action,
        is_emergency=event.action in BREAK_GLASS_ACTIONS,
        is_own=event.actor_id is not None and event.actor_id == patient.user_id,
        purpose=event.purpose or "",
    )


def access_log_for(
    reader: User, patient: Patient, *, limit: int = ACCESS_LOG_LIMIT
) -> list[AccessLine]:
    """The newest `limit` events about `patient`, for the patient themself (`reader`, with the
    record from own_patient_record); NotFound for anyone else."""
    team_ids = care_team_user_ids(reader, patient)
    events = events_for_patient(service_id=patient.service_id, patient_id=patient.id)[:limit]
    return [_line(event, patient, team_ids) for event in events]


# Why someone used the record, completing "<who> <did what> … ". From the purpose of use on the
# audit event (HL7 ActReason), in the patient's words.
PURPOSE_REASONS: dict[str, str] = {
    PurposeOfUse.TREAT: gettext_noop("to plan and check your care"),
    PurposeOfUse.CAREMGT: gettext_noop("to review your care with your clinician"),
    PurposeOfUse.HOPERAT: gettext_noop("to check how well the service works"),
    PurposeOfUse.HRESCH: gettext_noop("for research"),
    PurposeOfUse.MLTRAINING: gettext_noop("to train computer models"),
    PurposeOfUse.ETREAT: gettext_noop("in an emergency"),
    PurposeOfUse.PATRQT: "",
}


@dataclass(frozen=True)
class AccessGroup:
    """Every time one person did one kind of thing for one reason, counted."""

    who: str
    relation: str
    what: str
    reason: str
    count: int
    last_at: datetime
    is_emergency: bool
    is_own: bool = False  # the patient's own uses ("You …")

    @property
    def sentence(self) -> str:
        """E.g. "Your clinician Ben Jones opened your record 3 times to plan and check your care."
        Whole sentences per count, so each language orders the words its own way."""
        n = self.count
        if self.is_own:
            # Translators: %(what)s is a phrase written to follow a person's name ("opened your
            # record"); word this so it reads well with "you" (e.g. "You: %(what)s, 3 times.").
            return ngettext("You %(what)s once.", "You %(what)s %(count)s times.", n) % {
                "what": self.what,
                "count": n,
            }
        if self.relation and self.relation != _("automatic"):
            who = f"{self.relation[0].upper()}{self.relation[1:]} {self.who}"
        else:
            who = self.who
        words = {"who": who, "what": self.what, "count": n, "reason": self.reason}
        if self.reason:
            return (
                ngettext(
                    "%(who)s %(what)s once %(reason)s.",
                    "%(who)s %(what)s %(count)s times %(reason)s.",
                    n,
                )
                % words
            )
        return ngettext("%(who)s %(what)s once.", "%(who)s %(what)s %(count)s times.", n) % words

    @property
    def last(self) -> str:
        return date_and_time(self.last_at)


@dataclass(frozen=True)
class AccessOverview:
    own_count: int  # what the patient did themself: grouped away, collapsed on the page
    own: list[AccessGroup]
    others: list[AccessGroup]  # everyone else (and Careloop's automatic steps), newest first
    others_lines: list[AccessLine]  # the same, one line per event, newest first
    emergency: bool  # an emergency access is among them


def _reason(line: AccessLine) -> str:
    if line.is_own:
        return ""
    if line.is_emergency:
        return _(PURPOSE_REASONS[PurposeOfUse.ETREAT])
    reason = PURPOSE_REASONS.get(line.purpose, "")
    return _(reason) if reason else ""


def _grouped(lines: list[AccessLine]) -> list[AccessGroup]:
    """Group by who, what and why, keeping the order of each group's newest line."""
    found: dict[tuple[str, str, str, str], list[AccessLine]] = {}
    for line in lines:  # newest first
        found.setdefault((line.who, line.relation, line.what, _reason(line)), []).append(line)
    return [
        AccessGroup(
            who=who,
            relation=relation,
            what=what,
            reason=reason,
            count=len(group),
            last_at=group[0].occurred_at,
            is_emergency=any(line.is_emergency for line in group),
        )
        for (who, relation, what, reason), group in found.items()
    ]


def access_overview_for(
    reader: User, patient: Patient, *, limit: int = ACCESS_LOG_LIMIT
) -> AccessOverview:
    """The patient's page (NotFound for anyone but the patient): their own uses counted apart
    in the database (so however often they look, other people's lines are never pushed out),
    and the newest `limit` events of everyone else grouped and explained (who, what, why), every
    one of those kept for the full list."""
    team_ids = care_team_user_ids(reader, patient)
    events = events_for_patient(service_id=patient.service_id, patient_id=patient.id)
    # exclude() keeps the rows without an actor (Careloop's own steps): NULL is not the patient.
    others = [_line(e, patient, team_ids) for e in events.exclude(actor_id=patient.user_id)[:limit]]
    own_rows = (
        events.filter(actor_id=patient.user_id)
        .order_by()
        .values("action")
        .annotate(count=Count("id"), last_at=Max("occurred_at"))
        .order_by("-last_at")
    )
    own = [
        AccessGroup(
            who=_("You"),
            relation="",
            what=_(ACTION_PHRASES.get(row["action"], GENERIC_PHRASE)),
            reason="",
            count=row["count"],
            last_at=row["last_at"],
            is_emergency=False,
            is_own=True,
        )
        for row in own_rows
    ]
    return AccessOverview(
        own_count=sum(group.count for group in own),
        own=own,
        others=_grouped(others),
        others_lines=others,
        emergency=any(line.is_emergency for line in others),
    )
