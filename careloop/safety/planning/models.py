"""Safety plans (one per patient, every save an immutable version) and crisis-line confirmations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from careloop.care.models import Patient
from careloop.core.fields import EncryptedJSONField
from careloop.core.models import TenantModel


class SafetyPlan(TenantModel):
    """The patient's safety plan: a pointer to its newest version, and the row saves lock.

    `current_version` is what optimistic concurrency compares against: a save names the version
    it edited and is refused if another save got there first.
    """

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="safety_plan")
    current_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["service", "patient"])]

    def __str__(self) -> str:
        return f"safety plan v{self.current_version} of {self.patient_id}"


class ImmutableRow(RuntimeError):
    """A safety plan version was about to be changed or deleted; versions are never lost."""


class SafetyPlanVersion(TenantModel):
    """One saved state of a safety plan, exactly as written; never updated, never deleted."""

    plan = models.ForeignKey(SafetyPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # The patient's own words: encrypted at rest (careloop.core.fields).
    content = EncryptedJSONField(help_text="{'schema': 1, 'sections': {key: [{text, phone?}]}}")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=20)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The last line of defence against a lost update: two saves of one base version
            # cannot both become version N+1.
            models.UniqueConstraint(fields=["plan", "number"], name="safety_plan_version_unique")
        ]
        indexes = [models.Index(fields=["service", "plan", "-number"])]

    def __str__(self) -> str:
        return f"safety plan {self.plan_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRow("safety plan versions are immutable; save a new version")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRow("safety plan versions are never deleted")


class CrisisResourceReview(TenantModel):
    """A service's safety lead confirming one crisis line (as written in one file version).

    Patients of the service see a verified line only while an unwithdrawn confirmation exists for
    the line's current content hash. Withdrawing stamps the row; rows are never deleted, so the
    history of who confirmed what, against which data file, stays.
    """

    country_code = models.CharField(max_length=2)
    entry_id = models.CharField(max_length=80)
    entry_sha256 = models.CharField(max_length=64, help_text="Hash of the entry as confirmed")
    data_version = models.CharField(max_length=40, help_text="Version of the data file")
    data_sha256 = models.CharField(max_length=64, help_text="Hash of the whole data file")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "entry_id", "entry_sha256"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="crisis_review_one_active_confirmation",
            )
        ]
        indexes = [models.Index(fields=["service", "entry_id", "-confirmed_at"])]

    def __str__(self) -> str:
        state = "withdrawn" if self.withdrawn_at else "confirmed"
        return f"{self.entry_id} {state} for service {self.service_id}"
