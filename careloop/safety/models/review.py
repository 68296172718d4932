"""The clinician review queue: things a clinician must look at that are not (yet) alerts.

An alert says "this patient may be at risk now". A review item says "the system could not judge
the risk, a person must": an imported PHQ-9 total whose item 9 (self-harm) was never seen, an
imported total in the severe band, text in a language the crisis detector does not cover. It does
not page anyone; it waits on the caseload's review page until a clinician marks it reviewed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from careloop.care.models import Patient
from careloop.core.fields import EncryptedJSONField, EncryptedTextField
from careloop.core.models import TenantModel
from careloop.safety.types import ReviewKind, ReviewStatus


class ReviewItem(TenantModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="review_items")
    kind = models.CharField(max_length=24, choices=ReviewKind.choices)
    # Plain language for the clinician ("Imported PHQ-9 total 22 (severe) from 3 days ago: the
    # self-harm question was not seen"). Encrypted: a caller may name what the text was about.
    reason = EncryptedTextField()
    evidence = EncryptedJSONField(default=dict)
    # What asked for the review ("assessment:<id>", "journal:<id>"): unique per service and kind,
    # so a retried transaction or a re-import never queues the same thing twice.
    source_ref = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome_note = EncryptedTextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["service", "kind", "source_ref"], name="review_item_source_unique"
            ),
        )
        indexes = (
            models.Index(fields=["service", "status", "created_at"]),
            models.Index(fields=["service", "patient", "-created_at"]),
        )

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.OPEN
