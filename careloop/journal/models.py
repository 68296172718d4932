"""The patient's journal: free text in their own words, private unless they share an entry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.care.models import Patient
from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel


class JournalEntry(TenantModel):
    """One entry. Private by default: the care team reads it only if the patient shares it.

    Every entry is screened for crisis language when it is written; a moderate or high result
    raises an alert whose evidence holds the words that raised it (never the whole entry), even
    for a private entry. The patient is told so on the page before they write.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="journal_entries")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    body = EncryptedTextField()
    mood = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 very low – 10")
    shared_with_team = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # The detector's level and version at writing time: shows the patient crisis resources after
    # an alert and lets a later detector release find entries screened by an older one.
    screen_level = models.CharField(max_length=10, blank=True)
    screened_with = models.CharField(max_length=40, blank=True)
    # Chosen by the client before sending: a retried or offline-queued entry is stored once.
    client_id = models.UUIDField()

    class Meta:
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "patient", "client_id"], name="journal_client_id_unique"
            ),
            models.CheckConstraint(condition=Q(mood__lte=10), name="journal_mood_0_to_10"),
        ]
        indexes = [
            models.Index(fields=["service", "patient", "-created_at"]),
            models.Index(
                fields=["service", "patient", "-created_at"],
                condition=Q(shared_with_team=True),
                name="journal_shared_idx",
            ),
        ]
