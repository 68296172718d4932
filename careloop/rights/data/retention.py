"""The retention policy: for every table that holds data about a patient, what erasure does to it,
on what legal basis, for how long it is kept, and how the patient's export carries it.

Pure (no Django): the erasure service, the export, the patient's pages, the docs and the
registry test all read this one table. It says *what* happens to each table; the owning
domain's `patient_data.py` (careloop.core.patient_data) says *how*. A table holding patient data
that is missing here or there makes the registry test fail
(`careloop/rights/tests/test_erasure_policy.py`), so nothing new can escape export and erasure
unclassified.

Periods the references do not give are marked `verified=False` (shown as UNVERIFIED in the docs)
and are configurable: see `careloop/rights/data/erasure.py` for the settings that override them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


def _(text: str) -> str:
    """Marks a patient-facing text for translation (`careloop messages` extracts it); the pages
    translate it when they show it (careloop/rights/data/words.py). Pure: returns the English."""
    return text


class Disposition(StrEnum):
    ERASE = "erase"  # deleted in the erasure transaction
    LEGAL_HOLD = "legal_hold"  # kept, untouched, until the retention period ends
    TOMBSTONE = "tombstone"  # the row stays so held records still point somewhere; no identifiers
    SCRUB = "scrub"  # the row stays (others point at it); identifying columns are blanked
    PSEUDONYMOUS = "pseudonymous"  # kept; holds only keyed-HMAC references, never identifiers
    NOT_PATIENT_DATA = "not_patient_data"  # linked to users, but only ever to staff


class ExportKind(StrEnum):
    RESOURCE = "resource"  # its own entries in the Bundle (`fhir_type`)
    PART_OF = "part_of"  # carried inside the resource of another record type (`fhir_type`)
    COPY = "copy"  # copies of records exported as themselves (bulk-export files, sign-in logs)
    CREDENTIAL = "credential"  # a sign-in secret: the readable page lists it, the secret never
    NONE = "none"  # only for NOT_PATIENT_DATA


@dataclass(frozen=True)
class RetentionRule:
    model: str  # Django model label, "app_label.ModelName"
    disposition: Disposition
    what: str  # plain-language name shown to the patient
    legal_basis: str
    period: str  # how long it is kept, in words ("" when erased at once)
    verified: bool  # False: the period is not given by the references (UNVERIFIED, configurable)
    export: ExportKind
    fhir_type: str  # the FHIR resource type (or the record type it is part of)


SAFETY_RECORD_YEARS = 20  # UNVERIFIED default; settings.CARELOOP_SAFETY_RECORD_RETENTION_YEARS
AUDIT_YEARS = 6  # own policy; HIPAA 45 CFR 164.316(b)(2) documentation retention is 6 years

_CARE = _("GDPR Art. 6(1)(e)/9(2)(h): provision of health care")
_SAFETY = _(
    "GDPR Art. 17(3)(b)/(c) and 9(2)(h)/(i): clinical-safety record kept for legal claims "
    "and incident investigation"
)
_SAFETY_PERIOD = f"{SAFETY_RECORD_YEARS} years after the last safety record about you closed"
_NOT_PATIENT = _("Staff working records; names no patient")
_HOLD = Disposition.LEGAL_HOLD
_ERASE = Disposition.ERASE
_RES = ExportKind.RESOURCE
_PART = ExportKind.PART_OF


def _erase(model: str, what: str, fhir_type: str, export: ExportKind = _RES) -> RetentionRule:
    return RetentionRule(model, _ERASE, what, _CARE, "", True, export, fhir_type)


def _hold(
    model: str, what: str, fhir_type: str, export: ExportKind = _RES, basis: str = _SAFETY
) -> RetentionRule:
    return RetentionRule(model, _HOLD, what, basis, _SAFETY_PERIOD, False, export, fhir_type)


def _staff(model: str, what: str) -> RetentionRule:
    return RetentionRule(
        model, Disposition.NOT_PATIENT_DATA, what, _NOT_PATIENT, "", True, ExportKind.NONE, ""
    )


_APP_TOKENS = ("AccessToken", "RefreshToken", "Grant", "IDToken", "DeviceGrant")
_ACCOUNTABILITY = _("GDPR Art. 5(2), 32 and 17(3)(e): accountability for emergency access")

POLICY: tuple[RetentionRule, ...] = (
    # --- identity: the rows stay (held records point at them), the identifiers go
    RetentionRule(
        "care.Patient",
        Disposition.TOMBSTONE,
        _("Your details (name, birth year, gender, ethnicity, language)"),
        _CARE,
        _(
            "Identifiers removed at once; an empty record stays while records under legal hold "
            "point at it"
        ),
        True,
        _RES,
        "Patient",
    ),
    RetentionRule(
        "accounts.User",
        Disposition.SCRUB,
        _("Your sign-in account (user name, e-mail, phone)"),
        _CARE,
        _("Closed and emptied at once"),
        True,
        _PART,
        "Patient",
    ),
    _erase("sessions.Session", _("Your signed-in sessions"), "Patient", ExportKind.CREDENTIAL),
    _erase(
        "accounts.Invitation",
        _("Invitations to set your password"),
        "Patient",
        ExportKind.CREDENTIAL,
    ),
    _erase("otp_totp.TOTPDevice", _("Your two-step sign-in app"), "Device"),
    _erase("notifications.PushSubscription", _("Browsers you allowed to show reminders"), "Device"),
    *(
        _erase(
            f"oauth2_provider.{name}",
            _("Apps you allowed to read your record (their access keys)"),
            "",
            ExportKind.CREDENTIAL,
        )
        for name in _APP_TOKENS
    ),
    *(
        _erase(
            f"axes.{name}",
            _("Records of your sign-ins and failed sign-ins (lock-out protection)"),
            "AuditEvent",
            ExportKind.COPY,
        )
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog")
    ),
    # --- care records the patient can have erased
    _erase("care.TreatmentEpisode", _("Your courses of care (dates)"), "EpisodeOfCare"),
    _erase(
        "care.SteppedCareChange",
        _("The level of care you were offered (stepped care), and why it changed"),
        "ClinicalImpression",
    ),
    _erase(
        "supervision.CaseReview",
        _("Reviews of your care by the team's consultant (notes and decisions)"),
        "ClinicalImpression",
    ),
    _erase(
        "ai.Prediction",
        _("Computer estimates of how likely your treatment is to help, and what they read"),
        "ClinicalImpression",
    ),
    _erase(
        "ai.Suggestion",
        _("Computer-assisted suggestions about your care, and what your clinician decided"),
        "ClinicalImpression",
    ),
    _erase(
        "ai.ReviewTask",
        _("Your requests for a person to review a decision, and the answers"),
        "ClinicalImpression",
    ),
    _erase(
        "assessments.Assessment",
        _(
            "Your questionnaire answers and scores (except any that raised a safety alert, which "
            "are kept with it)"
        ),
        "QuestionnaireResponse",
    ),
    _erase(
        "monitoring.MeasurementPlan",
        _("Which questionnaires you were asked to fill in"),
        "CarePlan",
    ),
    _erase("monitoring.PlanItem", _("How often each questionnaire was due"), "CarePlan", _PART),
    _erase("monitoring.CheckIn", _("Your mood check-ins and notes"), "Observation"),
    _erase(
        "monitoring.ReminderPreference",
        _("How and when you asked to be reminded"),
        "Basic",
    ),
    _erase(
        "monitoring.FollowUpOffer",
        _("Extra questions you were asked to answer after a worrying answer, and when you did"),
        "AuditEvent",  # each offer and each completion is an audit event in the export
        _PART,
    ),
    _erase("journal.JournalEntry", _("Your journal"), "Observation"),
    _erase("messaging.Message", _("Your messages with your care team"), "Communication"),
    _erase(
        "privacy.ConsentDecision",
        _("Your consent choices (their receipt codes are kept in the erasure's log entry)"),
        "Consent",
    ),
    _erase("notifications.Notification", _("Reminders and messages sent to you"), "Communication"),
    _erase(
        "fhir.ImportedResource",
        _("Where imported records came from (identifiers in other systems)"),
        "Provenance",
    ),
    _erase(
        "fhir.ExportPart",
        _("Bulk-export files that include you (copies made for connected systems)"),
        "",
        ExportKind.COPY,
    ),
    # --- safety records: kept under legal hold
    _hold("safety.Alert", _("Closed safety alerts about you and what was done"), "Flag"),
    _hold(
        "safety.ReviewItem",
        _("Results and text a clinician was asked to review for risk, and what they found"),
        "Task",
    ),
    _hold(
        "safety.EscalationStep",
        _("Who was asked to respond to each safety alert, and when"),
        "Communication",
    ),
    _hold(
        "safety.AlertDelivery", _("Messages that told staff about a safety alert"), "Communication"
    ),
    _hold("safety.InboxEntry", _("Safety alerts as they reached staff inboxes"), "Communication"),
    _hold(
        "safety.FallbackBanner",
        _("Service-wide warnings when an alert could not be delivered"),
        "Communication",
    ),
    _hold("safety_planning.SafetyPlan", _("Your safety plan"), "CarePlan"),
    _hold(
        "safety_planning.SafetyPlanVersion",
        _("Every saved version of your safety plan"),
        "CarePlan",
        _PART,
    ),
    _hold(
        "privacy.BreakGlassGrant",
        _(
            "Emergency access to your record by staff outside your care team, and the reason "
            "they gave"
        ),
        "AuditEvent",
        basis=_ACCOUNTABILITY,
    ),
    # --- accountability: kept, pseudonymous
    RetentionRule(
        "audit.AuditEvent",
        Disposition.PSEUDONYMOUS,
        _("The log of who looked at or changed your record (it names you only by a keyed code)"),
        _("GDPR Art. 5(2) and 32 (accountability, security); HIPAA 45 CFR 164.312(b)"),
        f"{AUDIT_YEARS} years",
        True,
        _RES,
        "AuditEvent",
    ),
    # --- tables linked to users, but only ever to staff
    _staff("care.TeamMembership", _("Care team memberships of staff")),
    _staff("safety.EscalationPolicy", _("Team escalation policies")),
    _staff("safety.EscalationTier", _("Tiers of a team's escalation policy")),
    _staff("safety.OnCallShift", _("The on-call rota")),
    _staff("safety.RecipientStream", _("Staff alert-inbox counters")),
    _staff("safety_planning.CrisisResourceReview", _("Crisis-line confirmations by staff")),
    _staff("privacy.ConsentDocument", _("Consent texts published by the service")),
    _staff("fhir.SmartClient", _("Connected apps registered by the service")),
    _staff("fhir.ExportJob", _("Bulk-export jobs (counts only)")),
    _staff("ai.ModelVersion", _("The AI model registry (versions, who switched them on)")),
    _staff("ai.ModelSwitch", _("AI model off switches, and who used them")),
    _staff("ai.DriftCheck", _("Checks that an AI model's inputs have not drifted")),
    _staff("oauth2_provider.Application", _("App registrations (owned by staff)")),
)

_BY_MODEL = {rule.model: rule for rule in POLICY}


class UnclassifiedRecordType(LookupError):
    """A table holds patient data but the retention policy does not say what happens to it."""


def rule_for(model_label: str) -> RetentionRule:
    try:
        return _BY_MODEL[model_label]
    except KeyError:
        raise UnclassifiedRecordType(model_label) from None


def classified(model_label: str) -> bool:
    return model_label in _BY_MODEL


def patient_rules() -> tuple[RetentionRule, ...]:
    """Every rule about a patient's own data, in policy order (staff-only tables left out)."""
    return tuple(r for r in POLICY if r.disposition != Disposition.NOT_PATIENT_DATA)


def held_rules() -> tuple[RetentionRule, ...]:
    return tuple(r for r in POLICY if r.disposition == Disposition.LEGAL_HOLD)


def legal_hold_until(last_closed: datetime, *, years: int = SAFETY_RECORD_YEARS) -> datetime:
    """The end of the hold: `years` calendar years after the last held record closed.

    29 February moves to 28 February in a year that has none.
    """
    if years < 0:
        raise ValueError("a retention period cannot be negative")
    try:
        return last_closed.replace(year=last_closed.year + years)
    except ValueError:
        return last_closed.replace(year=last_closed.year + years, day=28)
