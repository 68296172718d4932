"""Writes of consent: publishing documents, and the patient's own decisions (with a receipt).

Every write is one transaction with its audit event. Detail holds codes and ids only.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.db import transaction
from django.db.models import Max

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.privacy import consent_texts
from careloop.privacy.consent import current_document
from careloop.privacy.models import ConsentDecision, ConsentDocument
from careloop.privacy.policy import (
    DataStream,
    PurposeOfUse,
    choices_offered,
    consent_basis,
    is_withdrawable,
)
from careloop.privacy.types import Choice

if TYPE_CHECKING:
    from careloop.accounts.models import User


class PatientRecord(Protocol):
    """The bits of care.Patient this domain needs (privacy sits below care)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def service_id(self) -> uuid.UUID: ...

    @property
    def user_id(self) -> uuid.UUID | None: ...


def _next_version(service_id: uuid.UUID, purpose: str, stream: str) -> int:
    latest = ConsentDocument.objects.filter(
        service_id=service_id, purpose=purpose, stream=stream
    ).aggregate(latest=Max("version"))["latest"]
    return int(latest or 0) + 1


def publish_document(
    *,
    actor: User | None,
    service_id: uuid.UUID,
    purpose: PurposeOfUse,
    stream: DataStream,
    title: dict[str, str],
    body: dict[str, str],
    requires_reconsent: bool = False,
    effective_from: datetime | None = None,
) -> ConsentDocument:
    """Publish the next version of a consent text (English required, other languages optional).

    With `requires_reconsent`, agreements to earlier versions of an opt-in use stop counting
    the moment this version takes effect; patients are asked again on their privacy page.
    """
    if (purpose, stream) not in {(p, s) for p, s, _ in choices_offered()}:
        raise InvalidInput("the policy offers no choice for this purpose and data stream")
    if not title.get("en", "").strip() or not body.get("en", "").strip():
        raise InvalidInput("a consent document needs an English title and text")
    with transaction.atomic():
        document = ConsentDocument.objects.create(
            service_id=service_id,
            purpose=purpose,
            stream=stream,
            version=_next_version(service_id, purpose, stream),
            title=title,
            body=body,
            effective_from=effective_from or clock.now(),
            requires_reconsent=requires_reconsent,
            published_by=actor,
        )
        record_event(
            actor=actor,
            action=AuditAction.CONSENT_DOCUMENT_PUBLISHED,
            service_id=service_id,
            purpose=PurposeOfUse.HOPERAT,
            obj=("ConsentDocument", document.id),
            detail={
                "purpose": purpose.value,
                "stream": stream.value,
                "version": document.version,
                "requires_reconsent": requires_reconsent,
            },
        )
    return document


def publish_default_documents(service_id: uuid.UUID, *, actor: User | None = None) -> int:
    """Publish version 1 of every packaged text the service does not have yet (idempotent)."""
    have = set(
        ConsentDocument.objects.filter(service_id=service_id).values_list("purpose", "stream")
    )
    published = 0
    for purpose, stream, _basis in choices_offered():
        if (purpose.value, stream.value) in have:
            continue
        publish_document(
            actor=actor,
            service_id=service_id,
            purpose=purpose,
            stream=stream,
            title={"en": consent_texts.default_title(purpose, stream)},
            body={"en": consent_texts.default_text(purpose, stream)},
        )
        published += 1
    return published


def _receipt() -> str:
    """A short reference the patient can quote: 'CR-' and 10 unambiguous characters."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "CR-" + "".join(secrets.choice(alphabet) for _ in range(10))


def decide(
    *,
    actor: User,
    patient: PatientRecord,
    purpose: PurposeOfUse,
    stream: DataStream,
    choice: Choice,
    document_version: int | None = None,
    source_ip: str | None = None,
) -> ConsentDecision:
    """The patient gives or withdraws consent; it applies from the next request, in every session.

    1. Only the patient themself decides (anyone else: NotFound, as if the record were absent).
    2. Only choices the policy offers can be changed (required ones cannot be withdrawn).
    3. `document_version`, if given, must be the version now in force: the patient agreed to the
       text they read, not to one published while the page was open.
    4. Store the decision with a receipt and audit it, in one transaction.
    """
    if patient.user_id is None or patient.user_id != actor.id:
        raise NotFound("patient")
    if not is_withdrawable(purpose, stream):
        raise InvalidInput("this is part of receiving care and cannot be switched off")
    document = current_document(service_id=patient.service_id, purpose=purpose, stream=stream)
    if document is None:
        raise NotFound("consent document")
    if document_version is not None and document_version != document.version:
        raise Conflict("the text has changed since you opened the page: please read it again")
    with transaction.atomic():
        decision = ConsentDecision.objects.create(
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=purpose,
            stream=stream,
            choice=choice,
            document=document,
            document_version=document.version,
            decided_at=clock.now(),
            decided_by=actor,
            receipt=_receipt(),
        )
        record_event(
            actor=actor,
            action=(
                AuditAction.CONSENT_GIVEN
                if choice == Choice.GIVEN
                else AuditAction.CONSENT_WITHDRAWN
            ),
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.PATRQT,
            obj=("ConsentDecision", decision.id),
            source_ip=source_ip,
            detail={
                "purpose": purpose.value,
                "stream": stream.value,
                "basis": consent_basis(purpose, stream).value,
                "document_version": document.version,
                "receipt": decision.receipt,
            },
        )
    return decision
