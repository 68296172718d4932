"""The ai domain's public vocabulary: the enums other domains (and the web pages) may use."""

from __future__ import annotations

from django.db import models


class ModelKind(models.TextChoices):
    EARLY_WARNING = "early_warning", "Early warning of non-response"
    STEPPED_CARE_RULES = "stepped_care_rules", "Stepped-care suggestion rules"
    CRISIS_TEXT = "crisis_text", "Crisis-language detector"


class ModelStatus(models.TextChoices):
    DRAFT = "draft", "Draft (not in use)"
    ACTIVE = "active", "In use"
    RETIRED = "retired", "Retired"


class RiskBand(models.TextChoices):
    LOWER = "lower", "Lower"
    MIDDLE = "middle", "Middle"
    HIGHER = "higher", "Higher"


class SuggestionSource(models.TextChoices):
    RULES = "rules", "Stepped-care rules"
    MODEL = "model", "Early-warning model"


class SuggestionMoment(models.TextChoices):
    ASSESSMENT = "assessment", "At assessment"
    EARLY_WARNING = "early_warning", "Early in treatment (weeks 2-4)"
    REVIEW = "review", "At the 10-12 week review"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Waiting for a clinician"
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"
    DEFERRED = "deferred", "Deferred"


class Decision(models.TextChoices):
    ACCEPT = "accept", "Accept"
    OVERRIDE = "override", "Override"
    DEFER = "defer", "Defer"


class ReasonCode(models.TextChoices):
    """Why a clinician accepted, overrode or deferred a suggestion (the oversight reports count
    these, so they are a closed list; the optional note says the rest)."""

    AGREES_CLINICALLY = "agrees_clinically", "It matches my clinical judgement"
    AGREED_WITH_PATIENT = "agreed_with_patient", "Agreed with the patient"
    CLINICAL_JUDGEMENT = "clinical_judgement", "My clinical judgement differs"
    PATIENT_PREFERENCE = "patient_preference", "The patient prefers otherwise"
    DATA_WRONG_OR_MISSING = "data_wrong_or_missing", "The data it used are wrong or incomplete"
    CONTEXT_NOT_IN_DATA = "context_not_in_data", "Circumstances the data do not show"
    SERVICE_CAPACITY = "service_capacity", "Not available in the service now"
    NEED_MORE_INFORMATION = "need_more_information", "Need more information first"
    DISCUSS_IN_SUPERVISION = "discuss_in_supervision", "To discuss in supervision"
    DISCUSS_WITH_PATIENT = "discuss_with_patient", "To discuss with the patient first"


# Which reasons fit which decision (a form offers only these; the service refuses the rest).
REASONS_FOR: dict[str, tuple[str, ...]] = {
    Decision.ACCEPT: (ReasonCode.AGREES_CLINICALLY, ReasonCode.AGREED_WITH_PATIENT),
    Decision.OVERRIDE: (
        ReasonCode.CLINICAL_JUDGEMENT,
        ReasonCode.PATIENT_PREFERENCE,
        ReasonCode.DATA_WRONG_OR_MISSING,
        ReasonCode.CONTEXT_NOT_IN_DATA,
        ReasonCode.SERVICE_CAPACITY,
    ),
    Decision.DEFER: (
        ReasonCode.NEED_MORE_INFORMATION,
        ReasonCode.DISCUSS_IN_SUPERVISION,
        ReasonCode.DISCUSS_WITH_PATIENT,
    ),
}


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a clinician"
    ANSWERED = "answered", "Answered"


NOTE_MAX_CHARS = 2000
MESSAGE_MAX_CHARS = 2000
REVIEW_DEADLINE_WORKING_DAYS = 5  # default; settings.CARELOOP_AI_REVIEW_WORKING_DAYS overrides
