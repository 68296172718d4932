"""Secure messages between a patient and their care team: one conversation per patient."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from careloop.care.models import Patient
from careloop.core.fields import EncryptedTextField
from careloop.core.models import TenantModel
from careloop.messaging.types import Direction


class Message(TenantModel):
    """One message in the patient's conversation with their care team (FHIR Communication).

    The conversation is the patient: every message names them, whichever side sent it. A message
    is read when anyone on the receiving side opens the conversation (`read_at`, `read_by`).
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    body = EncryptedTextField()
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A patient's message is screened for crisis language when sent (level and detector version).
    screen_level = models.CharField(max_length=10, blank=True)
    screened_with = models.CharField(max_length=40, blank=True)
    # Chosen by the client before sending: a retried or offline-queued message is stored once.
    client_id = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "patient", "sender", "client_id"],
                name="message_client_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_by__isnull=False),
                name="message_read_by_whom",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "patient", "-sent_at"]),
            models.Index(
                fields=["service", "patient", "direction"],
                condition=Q(read_at__isnull=True),
                name="message_unread_idx",
            ),
        ]
