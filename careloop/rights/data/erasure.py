"""Erasure on request (GDPR Art. 17), as the retention policy (`retention.py`) says.

The patient asks on /me/data/erase/; a service admin carries it out (`careloop patient erase`).
Each domain says in its `patient_data.py` (the registry, careloop.core.patient_data) how its
tables are erased or held; erasure walks that registry. In ONE transaction every erasable
record is deleted, records under legal hold (closed safety alerts and everything that records
how they were handled, safety plans, break-glass grants) are kept untouched, the login is
closed and emptied, and the Patient row stays as a tombstone without identifiers, so the held
records still point somewhere. The audit trail names the patient only by a keyed HMAC, so its
hash chain is never touched.

While a safety alert about the patient is still open, erasure is refused: the safety process
must finish first (its record is then held).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from careloop.accounts.patient_data import scrub_login
from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.patient_data import (
    clear_erasure_request,
    lock_for_erasure,
    mark_erasure_requested,
    tombstone,
)
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.core.patient_data import PatientData, PatientScope, points_to, registered
from careloop.privacy.patient_data import consent_receipts
from careloop.rights.data.export import SHAPERS
from careloop.rights.data.retention import SAFETY_RECORD_YEARS, legal_hold_until

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


def safety_record_years() -> int:
    """Years closed safety records are held; UNVERIFIED default, set per deployment."""
    return int(getattr(settings, "CARELOOP_SAFETY_RECORD_RETENTION_YEARS", SAFETY_RECORD_YEARS))


@dataclass
class ErasureReceipt:
    """What erasure did, per record type (model label): counts only, never content."""

    patient_id: uuid.UUID
    erased: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    legal_hold_until: datetime | None = None


# ------------------------------------------------------------------ what is held


def scope_of(patient: Patient) -> PatientScope:
    """The patient, their login, and the rows of other types held records keep as evidence."""
    scope = PatientScope(patient=patient, user=patient.user)
    pinned: dict[str, frozenset[uuid.UUID]] = {}
    for entry in registered().values():
        if entry.pins is not None:
            for label, ids in entry.pins(scope).items():
                pinned[label] = pinned.get(label, frozenset()) | ids
    return PatientScope(patient=patient, user=scope.user, pinned=pinned)


def _held_rank(label: str) -> tuple[bool, int]:
    """Held types are listed in the order the export shows them; types erased but for the rows
    a held record keeps as evidence come last."""
    entry = registered()[label]
    order = list(SHAPERS)
    owner = entry.part_of or label
    return entry.erase is not None, order.index(owner) if owner in order else len(order)


def held_counts(patient: Patient, scope: PatientScope | None = None) -> dict[str, int]:
    """Record type → how many of the patient's records erasure would keep under legal hold."""
    scope = scope or scope_of(patient)
    held = sorted(
        ((label, entry.held) for label, entry in registered().items() if entry.held is not None),
        key=lambda item: _held_rank(item[0]),
    )
    return {label: count(scope) for label, count in held}


def _refusal(scope: PatientScope) -> str:
    """Why erasure must wait, from the first domain that says so ("" when it need not)."""
    for entry in registered().values():
        if entry.refuse_erasure is not None and (reason := entry.refuse_erasure(scope)):
            return reason
    return ""


def _hold_end(scope: PatientScope) -> datetime | None:
    """The legal-hold end: N years after the last held safety record was closed or written."""
    moments = [e.held_since(scope) for e in registered().values() if e.held_since is not None]
    latest = max((m for m in moments if m is not None), default=None)
    return legal_hold_until(latest, years=safety_record_years()) if latest else None


# ------------------------------------------------------------------ what is erased


def erase_order() -> list[PatientData]:
    """Every erasable type, in the order erasure deletes them: first those that find their rows
    through other records; then any row before the rows it points at (so each count is of the
    type's own rows, not of rows a cascade already took); otherwise registration order."""
    pending = [e for e in registered().values() if e.erase is not None]
    pending.sort(key=lambda e: not e.erase_first)
    ordered: list[PatientData] = []
    while pending:
        free = [
            e
            for e in pending
            if not any(points_to(o.model, e.model) for o in pending if o is not e)
        ]
        chosen = free[0] if free else pending[0]  # a cycle (app tokens): registration order
        ordered.append(chosen)
        pending.remove(chosen)
    return ordered


# The tombstone (care.Patient), the scrubbed login (accounts.User) and the pseudonymous audit
# trail are kept by erase_patient itself (retention: TOMBSTONE, SCRUB, PSEUDONYMOUS).
KEPT_BY_ERASE_PATIENT = frozenset({"care.Patient", "accounts.User", "audit.AuditEvent"})


# ------------------------------------------------------------------ the flow


def request_erasure(actor: User, patient: Patient) -> None:
    """The patient asks for erasure (only for themself); a service admin then carries it out."""
    if actor.role != Role.PATIENT or patient.user_id != actor.id or patient.erased_at:
        raise NotFound("patient")
    with transaction.atomic():
        requested_at = mark_erasure_requested(patient, now=clock.now())
        if requested_at is None:
            return  # asking twice is one request
        record_event(
            actor=actor,
            action=AuditAction.ERASURE_REQUESTED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.PATRQT,
            obj=("Patient", patient.id),
        )
    patient.erasure_requested_at = requested_at


def withdraw_erasure_request(actor: User, patient: Patient) -> None:
    if actor.role != Role.PATIENT or patient.user_id != actor.id or patient.erased_at:
        raise NotFound("patient")
    with transaction.atomic():
        if clear_erasure_request(patient):
            record_event(
                actor=actor,
                action=AuditAction.ERASURE_REQUEST_WITHDRAWN,
                service_id=patient.service_id,
                patient_id=patient.id,
                purpose=PurposeOfUse.PATRQT,
                obj=("Patient", patient.id),
            )
    patient.erasure_requested_at = None


def erase_patient(
    actor: User, patient_id: uuid.UUID, *, written_request: bool = False
) -> ErasureReceipt:
    """Carry out erasure of one patient of `actor`'s service, in one transaction.

    `actor` is a service admin. Without a request made on the patient's page, erasure needs
    `written_request=True` (the admin holds the patient's request in writing). Conflict while a
    safety alert about the patient is open; NotFound for a patient of another service or one
    already erased.
    """
    if actor.role != Role.SERVICE_ADMIN or not actor.is_active or actor.service_id is None:
        raise NotFound("patient")
    with transaction.atomic():
        patient = lock_for_erasure(actor.service_id, patient_id)
        if patient is None:
            raise NotFound("patient")
        if patient.erasure_requested_at is None and not written_request:
            raise InvalidInput("the patient has not asked for erasure; confirm a written request")
        scope = scope_of(patient)
        if refusal := _refusal(scope):
            raise Conflict(refusal)
        user = patient.user
        receipt = ErasureReceipt(patient_id=patient.id)
        receipt.kept = {k: n for k, n in held_counts(patient, scope).items() if n}
        receipts = consent_receipts(patient)
        for entry in erase_order():
            if entry.erase is not None and (erased := entry.erase(scope)):
                receipt.erased[entry.label] = erased
        now = clock.now()
        receipt.legal_hold_until = _hold_end(scope) if receipt.kept else None
        if user is not None:
            scrub_login(user)
            receipt.erased["accounts.User"] = 1
        tombstone(patient, now=now, hold_until=receipt.legal_hold_until)
        record_event(
            actor=actor,
            action=AuditAction.ERASED,
            service_id=patient.service_id,
            patient_id=patient.id,
            purpose=PurposeOfUse.HOPERAT,
            obj=("Patient", patient.id),
            detail={
                "erased": receipt.erased,
                "kept": receipt.kept,
                "legal_hold_until": receipt.legal_hold_until.isoformat()
                if receipt.legal_hold_until
                else None,
                "written_request": written_request,
                "consent_receipts": receipts,
            },
        )
    return receipt
