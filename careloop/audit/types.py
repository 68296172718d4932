"""The audit domain's public vocabulary: what is audited (AuditAction) and why data was touched
(PurposeOfUse). Pure (no Django): privacy.policy, itself pure, shares PurposeOfUse.

AuditAction is the one list of every action any domain records: `record_event` accepts nothing
else (mypy enforces it), so a reviewer reads here what the platform audits.
"""

from __future__ import annotations

import enum


@enum.unique  # two names for one stored code would make the list lie about what is audited
class AuditAction(enum.StrEnum):
    """Every action written to the audit log, grouped by the domain that records it.

    The values are frozen: they are already stored in every service's hash chain (each record's
    hash covers its action code) and patients read them back through "who accessed my data" and
    the FHIR AuditEvent feed. Renaming one would break verification of old records and split one
    action into two codes, so the spelling stays as first written even where it is inconsistent
    ("alert.viewed" but "assessment.history_viewed"); only the member names are tidy.
    """

    # accounts: sign-in and the second factor (chain of the account's service, or the system's)
    SIGNED_IN = "auth.signed_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    LOCKED_OUT = "auth.locked_out"
    MFA_ENROLLED = "auth.mfa_enrolled"
    MFA_VERIFIED = "auth.mfa_verified"
    MFA_FAILED = "auth.mfa_failed"
    ACCESS_DENIED = "auth.access_denied"  # an authenticated request refused with 403
    # accounts: web administration of logins (#13)
    ACCOUNT_INVITED = "account.invited"  # a login created (or re-invited) with an invitation
    INVITATION_ACCEPTED = "account.invitation_accepted"  # the person set their own password

    # care: the patient record
    PATIENT_REGISTERED = "patient.registered"
    PATIENT_VIEWED = "patient.viewed"
    CASELOAD_VIEWED = "patient.listed_in_caseload"
    CONTACT_DETAILS_UPDATED = "patient.contact_details_updated"
    PATIENT_DISCHARGED = "patient.discharged"  # the open course of care ended by an admin
    CARE_TEAM_CREATED = "care_team.created"
    CARE_TEAM_MEMBER_ADDED = "care_team.member_added"
    CARE_TEAM_MEMBER_REMOVED = "care_team.member_removed"

    # privacy: consent and emergency (break-glass) access
    CONSENT_DOCUMENT_PUBLISHED = "privacy.consent_document_published"
    CONSENT_GIVEN = "privacy.consent_given"
    CONSENT_WITHDRAWN = "privacy.consent_withdrawn"
    BREAK_GLASS_STARTED = "privacy.break_glass_started"
    BREAK_GLASS_READ = "privacy.break_glass_read"
    BREAK_GLASS_ENDED = "privacy.break_glass_ended"
    BREAK_GLASS_REVIEWED = "privacy.break_glass_reviewed"  # written by rights' review page

    # assessments: questionnaires
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    ASSESSMENTS_VIEWED = "assessment.history_viewed"

    # safety: alerts, their escalation and the clinician review queue
    ALERT_RAISED = "alert.raised"
    ALERT_NOTIFIED = "alert.notified"
    ALERTS_VIEWED = "alert.viewed"
    ALERT_ESCALATED = "alert.escalated"
    ALERT_ESCALATION_DEFERRED = "alert.escalation_deferred"  # a low alert's tier in quiet hours
    ALERT_FALLBACK_FIRED = "alert.fallback_fired"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ALERT_ACTIONED = "alert.actioned"
    ALERT_CLOSED = "alert.closed"
    ESCALATION_POLICY_CHANGED = "escalation.policy_changed"
    ON_CALL_CHANGED = "escalation.on_call_changed"
    REVIEW_REQUESTED = "review.requested"
    REVIEW_COMPLETED = "review.completed"
    REVIEWS_VIEWED = "review.viewed"

    # safety.planning: the safety plan and the crisis-line directory
    SAFETY_PLAN_SAVED = "safety_plan.version_saved"
    SAFETY_PLAN_VIEWED = "safety_plan.viewed"
    CRISIS_LINE_CONFIRMED = "crisis_resource.confirmed"
    CRISIS_LINE_WITHDRAWN = "crisis_resource.withdrawn"

    # monitoring: measurement plans, check-ins and the risk follow-up
    MEASUREMENT_PLAN_CREATED = "measurement_plan.created"
    MEASUREMENT_PLAN_ITEM_CHANGED = "measurement_plan.item_changed"
    CHECKIN_SUBMITTED = "checkin.submitted"
    FOLLOW_UP_OFFERED = "follow_up.offered"
    FOLLOW_UP_COMPLETED = "follow_up.completed"
    FOLLOW_UP_SETTING_CHANGED = "monitoring_settings.risk_follow_up_changed"

    # journal (ids and codes only, never the text)
    JOURNAL_ENTRY_WRITTEN = "journal.entry_written"
    JOURNAL_SHARING_CHANGED = "journal.sharing_changed"
    JOURNAL_SHARED_ENTRIES_VIEWED = "journal.shared_entries_viewed"

    # messaging (ids and codes only, never the text)
    MESSAGE_SENT = "message.sent"
    MESSAGE_READ = "message.read"
    MESSAGE_THREAD_VIEWED = "message.thread_viewed"

    # fhir: client registration, bulk export, reads of the audit trail itself
    FHIR_CLIENT_REGISTERED = "fhir.client_registered"
    BULK_EXPORT_REQUESTED = "fhir.bulk_export_requested"
    BULK_EXPORT_COMPLETED = "fhir.bulk_export_completed"
    BULK_EXPORT_CANCELLED = "fhir.bulk_export_cancelled"
    BULK_PATIENT_EXPORTED = "fhir.bulk_patient_exported"
    BULK_FILE_DOWNLOADED = "fhir.bulk_file_downloaded"
    AUDIT_TRAIL_VIEWED = "audit.trail_viewed"  # someone read a patient's audit trail

    # analytics: reports and research extracts
    REPORT_VIEWED = "service.report_viewed"
    RESEARCH_EXTRACTED = "research.extracted"

    # seed: a synthetic population written into a service
    POPULATION_SEEDED = "service.population_seeded"

    # rights: the patient's own copy and erasure
    DATA_VIEWED = "rights.data_viewed"
    DATA_EXPORTED = "rights.exported"
    ERASURE_REQUESTED = "rights.erasure_requested"
    ERASURE_REQUEST_WITHDRAWN = "rights.erasure_request_withdrawn"
    ERASED = "rights.erased"

    # analytics: the service dashboard's CSV downloaded (viewing it is REPORT_VIEWED)
    REPORT_DOWNLOADED = "service.report_downloaded"

    # care: the stepped-care level of a treatment episode (#13)
    CARE_STEP_CHANGED = "care.step_changed"

    # supervision: the psychiatric consultant's caseload review (#13)
    SUPERVISION_LIST_VIEWED = "supervision.review_list_viewed"
    CASE_REVIEW_NOTE_ADDED = "supervision.note_added"
    CASE_REVIEW_SIGNED_OFF = "supervision.signed_off"

    # ai: the model registry, predictions, suggestions and their oversight (#15)
    AI_MODEL_REGISTERED = "ai.model_registered"  # a model version (or rule version) stored
    AI_MODEL_ACTIVATED = "ai.model_activated"  # switched on after the gate / a sign-off
    AI_MODEL_ACTIVATION_REFUSED = "ai.model_activation_refused"  # the fairness gate blocked it
    AI_MODEL_SWITCHED_OFF = "ai.model_switched_off"  # the kill switch: the rules are used
    AI_MODEL_SWITCHED_ON = "ai.model_switched_on"  # the kill switch released
    AI_RULES_DRY_RUN = "ai.rules_dry_run"  # a rule version tried on past episodes
    AI_FAIRNESS_AUDITED = "ai.fairness_audited"
    AI_DRIFT_CHECKED = "ai.drift_checked"
    AI_PREDICTION_RECORDED = "ai.prediction_recorded"  # an early-warning estimate for a patient
    AI_SUGGESTION_RECORDED = "ai.suggestion_recorded"
    AI_SUGGESTION_DECIDED = "ai.suggestion_decided"  # accepted, overridden or deferred
    AI_HUMAN_REVIEW_REQUESTED = "ai.human_review_requested"  # the patient contested a decision
    AI_HUMAN_REVIEW_ANSWERED = "ai.human_review_answered"

    # monitoring: the patient's own reminder settings (#14)
    REMINDER_PREFERENCES_CHANGED = "reminders.preferences_changed"


@enum.unique
class PurposeOfUse(enum.StrEnum):
    """Why the data was touched: HL7 v3 ActReason codes
    (http://terminology.hl7.org/CodeSystem/v3-ActReason). The audit log stores them on every
    event, and privacy.policy decides access by them."""

    TREAT = "TREAT"  # treatment by the care team
    # Supervision: the team's psychiatric consultant reviewing the caseload. HL7 CAREMGT (care
    # management) rather than TREAT, so the audit trail tells a caseload review from a session.
    CAREMGT = "CAREMGT"
    HOPERAT = "HOPERAT"  # healthcare operations: quality improvement, service evaluation
    HRESCH = "HRESCH"  # healthcare research
    MLTRAINING = "MLTRAINING"  # training or evaluating machine-learning models
    ETREAT = "ETREAT"  # emergency treatment (break-glass)
    PATRQT = "PATRQT"  # the patient reading their own record
