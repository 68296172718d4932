from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.care.types import CareStep, EpisodeEnding, Gender
from careloop.core import clock
from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel


class CareTeam(TenantModel):
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="team_name_unique")]

    def __str__(self) -> str:
        return self.name


class TeamMembership(TenantModel):
    """A clinician or supervisor working in a care team; this is what grants access to patients."""

    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique")]


class Patient(TenantModel):
    """A person receiving care from one service, assigned to one care team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_record",
        help_text="The login, if the patient uses the app (synthetic patients may have none)",
    )
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="patients")
    display_name = models.CharField(max_length=120)
    birth_year = models.PositiveSmallIntegerField(null=True)
    gender = models.CharField(
        max_length=20, choices=Gender.choices, default=Gender.PREFER_NOT_TO_SAY
    )
    ethnicity = models.CharField(max_length=20, blank=True)
    # Blank: not chosen yet, so pages follow the browser (careloop/care/language.py); the
    # language picker and a FHIR import write it.
    preferred_language = models.CharField(max_length=16, blank=True, default="")
    time_zone = models.CharField(max_length=64, default="Europe/London")
    deprivation_quintile = models.PositiveSmallIntegerField(
        null=True, help_text="1 = most deprived, 5 = least deprived"
    )
    created_at = models.DateTimeField(default=clock.now)
    # Erasure (careloop.rights.data.erasure): the row stays as a tombstone, stripped of
    # identifiers, so records kept under legal hold still point somewhere; selectors hide erased
    # patients.
    erasure_requested_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    legal_hold_until = models.DateTimeField(
        null=True, blank=True, help_text="Records kept under legal hold may be deleted after this"
    )

    class Meta:
        indexes = [models.Index(fields=["service", "care_team"])]

    def __str__(self) -> str:
        return self.display_name


class TreatmentEpisode(TenantModel):
    """One course of care, from referral to discharge; outcomes are measured per episode."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    referred_on = models.DateField()
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    ending = models.CharField(
        max_length=12, choices=EpisodeEnding.choices, default=EpisodeEnding.ONGOING
    )
    # NHS Talking Therapies "finished a course of treatment" = ended with >= 2 attended treatment
    # sessions (clinical_spec.md §15). Null = not recorded: the outcome engine then estimates it
    # from measurement days and says so (monitoring.outcomes.nhs_tt).
    treatment_sessions_attended = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Attended treatment sessions (assessment excluded); empty if not recorded",
    )

    class Meta:
        indexes = [
            models.Index(fields=["service", "patient", "started_on"]),
            # The NHS TT service report reads a service's episodes by the day they ended.
            models.Index(fields=["service", "ended_on"]),
        ]


class SteppedCareChange(TenantModel):
    """One change of an episode's stepped-care level, appended (never edited): the current step
    is the latest change of the episode. Written only by care.services.change_step."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(
        TreatmentEpisode, on_delete=models.CASCADE, related_name="step_changes"
    )
    from_step = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=CareStep.choices, help_text="Empty for the first step"
    )
    to_step = models.PositiveSmallIntegerField(choices=CareStep.choices)
    # The clinician's reason, in their words: may describe the patient, so encrypted at rest.
    reason = EncryptedTextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [
            # The current step of each patient (registry filter, a correlated subquery per
            # patient row) and a patient's dated changes (chart markers): one index range each.
            models.Index(
                fields=["service", "patient", "-changed_at"], name="care_step_patient_latest"
            ),
            models.Index(fields=["episode", "-changed_at"], name="care_step_episode_latest"),
        ]
