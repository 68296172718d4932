"""Append-only audit events, hash-chained per service, and the signed checkpoints of each chain."""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.db import models

from careloop.audit.types import PurposeOfUse

_Row = TypeVar("_Row", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_Row]):
    """Refuses bulk UPDATE and DELETE: the ORM never rewrites history (PostgreSQL's trigger and
    the app role's grants refuse it below the ORM too)."""

    def update(self, **kwargs: object) -> int:
        raise RuntimeError("audit records are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit records are append-only")


class AuditEvent(models.Model):
    """One record of the chain of its service (`seq` 1, 2, 3…; see careloop.audit.chain).

    `patient_ref` is the keyed HMAC of the patient's id, never the id itself (see selectors).
    `id` is only the storage key; the chain's order is (service_id, seq).
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    service_id = models.UUIDField(null=True, db_index=True)
    seq = models.BigIntegerField(help_text="Position in the chain of this service, from 1")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=60, help_text='A dotted code, e.g. "alert.raised"')
    purpose = models.CharField(
        max_length=10, choices=[(p.value, p.value) for p in PurposeOfUse], blank=True
    )
    patient_ref = models.CharField(max_length=64, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    source_ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["service_id", "patient_ref", "occurred_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["service_id", "seq"],
                condition=models.Q(service_id__isnull=False),
                name="audit_event_one_seq_per_service",
            ),
            models.UniqueConstraint(
                fields=["seq"],
                condition=models.Q(service_id__isnull=True),
                name="audit_event_one_seq_system",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action} by {self.actor_role}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit events are append-only")


class AuditChainHead(models.Model):
    """Where each chain ends. Writers lock this row (SELECT … FOR UPDATE) to append in order.

    A convenience, not evidence: verification trusts only the records and signed checkpoints
    (it does flag a chain shorter than its head, which catches a careless truncation).
    """

    chain = models.CharField(primary_key=True, max_length=36, help_text='service id or "system"')
    service_id = models.UUIDField(null=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain} @ {self.seq}"


class AuditCheckpoint(models.Model):
    """A signed (Ed25519, key outside the database) statement of a chain's length and last hash."""

    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(max_length=36)
    service_id = models.UUIDField(null=True)
    seq = models.BigIntegerField(help_text="The last record covered")
    last_hash = models.CharField(max_length=64)
    record_count = models.BigIntegerField()
    signed_at = models.DateTimeField()
    key_fingerprint = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_checkpoint_once_per_seq")
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.chain} @ {self.seq}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise RuntimeError("audit checkpoints are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
