"""The care domain's public vocabulary: enums and value types other domains may use.

Models stay private to care; these are re-exported from its models for its own code."""

from __future__ import annotations

from django.db import models


class Gender(models.TextChoices):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary", "Non-binary"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class EpisodeEnding(models.TextChoices):
    ONGOING = "ongoing"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"


class CareStep(models.IntegerChoices):
    """The stepped-care level of a treatment episode (the NICE stepped-care model used by NHS
    Talking Therapies and collaborative care): a higher step is more intensive care.

    UNVERIFIED: the reference spec (clinical_spec.md) does not describe stepped care; these names
    are Careloop's summary of NICE CG90 (depression in adults, stepped-care model), which was not
    retrieved for this wording. A clinical lead should check them (docs/workspace/supervision.md).
    """

    MONITORING = 1, "Step 1: assessment, support and active monitoring"
    LOW_INTENSITY = 2, "Step 2: low-intensity guided self-help"
    HIGH_INTENSITY = 3, "Step 3: high-intensity psychological therapy"
    SPECIALIST = 4, "Step 4: specialist mental health care"


# Where each step's wording comes from (shown in the docs; the UI says it is unchecked).
CARE_STEP_SOURCE = (
    "NICE CG90 stepped-care model as used by NHS Talking Therapies; wording UNVERIFIED "
    "(not in clinical_spec.md)"
)
REASON_MAX_CHARS = 2000  # a step change's reason: a few sentences, not a case note
