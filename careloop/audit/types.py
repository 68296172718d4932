"""The audit domain's public vocabulary: enums and value types other domains may use.

Models stay private to audit; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    """The audit domain's own and the walking skeleton's actions.

    Other domains define their own action enums next to their services (e.g. safety's, the
    safety plan's, measurement plans'): audit records any dotted code and needs no list of them.
    """

    SIGNED_IN = "auth.signed_in"
    MFA_ENROLLED = "auth.mfa_enrolled"
    MFA_VERIFIED = "auth.mfa_verified"
    PATIENT_REGISTERED = "patient.registered"
    PATIENT_VIEWED = "patient.viewed"
    CASELOAD_VIEWED = "patient.listed_in_caseload"
    ASSESSMENTS_VIEWED = "assessment.history_viewed"
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    ALERT_RAISED = "alert.raised"
    ALERT_NOTIFIED = "alert.notified"
    ALERTS_VIEWED = "alert.viewed"
    POPULATION_SEEDED = "service.population_seeded"
    REPORT_VIEWED = "service.report_viewed"


class Purpose(models.TextChoices):
    """Why the data was touched (HL7 PurposeOfUse); issue #5 enforces it against consent."""

    TREATMENT = "TREAT"
    SELF_ACCESS = "PATRQT"  # the patient looking at their own record
    OPERATIONS = "HOPERAT"
