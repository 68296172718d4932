"""The clinician review queue's write path: ask for a review, and record that it was done.

`request_review` is called by other code inside the transaction that stores what needs a human
look (an imported total, an unscreened text), so the data never exists without its review item
and a rolled-back import leaves none behind. It is idempotent on (kind, source_ref): a retried
transaction or a re-imported bundle returns the item already queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import require_write
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, PermissionDenied
from careloop.safety.models import ReviewItem
from careloop.safety.types import ReviewKind, ReviewStatus

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

MAX_REASON_CHARS = 2000
MAX_NOTE_CHARS = 4000
MAX_SOURCE_REF_CHARS = 200


def _audit(
    action: AuditAction, item: ReviewItem, *, actor: User | None, detail: dict[str, Any]
) -> None:
    record_event(
        actor=actor,
        action=action,
        service_id=item.service_id,
        patient_id=item.patient_id,
        purpose=PurposeOfUse.TREAT,
        obj=("ReviewItem", item.id),
        detail=detail,  # ids and codes only: never the reason, the evidence or the note
    )


def request_review(
    *,
    patient: Patient,
    kind: ReviewKind | str,
    reason: str,
    evidence: Mapping[str, Any],
    source_ref: str,
) -> ReviewItem:
    """Queue one review for the patient's care team; return the queued item (new or existing).

    Call it inside the caller's transaction. `reason` is plain language a clinician reads
    ("Imported PHQ-9 total 22 (severe)..."); `evidence` holds the facts (may quote the patient,
    so it is encrypted); `source_ref` names what asked ("assessment:<id>", "journal:<id>").
    Bad input raises InvalidInput.
    """
    if kind not in ReviewKind.values:
        raise InvalidInput(f"review kind must be one of {', '.join(ReviewKind.values)}")
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"give a reason of 1-{MAX_REASON_CHARS} characters")
    if not source_ref or len(source_ref) > MAX_SOURCE_REF_CHARS:
        raise InvalidInput(
            f"source_ref must name the source in 1-{MAX_SOURCE_REF_CHARS} characters"
        )
    lookup = {"service_id": patient.service_id, "kind": str(kind), "source_ref": source_ref}
    existing = ReviewItem.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # savepoint: a racing twin must not poison the caller's tx
            item = ReviewItem.objects.create(
                **lookup,
                patient=patient,
                reason=reason,
                evidence=dict(evidence),
                created_at=clock.now(),
            )
    except IntegrityError:
        return ReviewItem.objects.get(**lookup)
    _audit(AuditAction.REVIEW_REQUESTED, item, actor=None, detail={"kind": item.kind})
    return item


def complete_review(actor: User, item: ReviewItem, note: str) -> ReviewItem:
    """A clinician of the patient's care team marks an open item reviewed, with a note.

    `item` must come from `selectors.review_item_visible_to`. The write decision is judged
    afresh here (care.selectors.require_write): emergency (break-glass) access reads only and
    cannot close the care team's review (PermissionDenied). A second completion is a Conflict.
    """
    if not actor.works_in_care_team:
        raise PermissionDenied("only clinicians and supervisors review")
    require_write(actor, item.patient)
    note = note.strip()
    if not note or len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"write what you found in 1-{MAX_NOTE_CHARS} characters")
    with transaction.atomic():
        locked = ReviewItem.objects.select_for_update().get(id=item.id)
        if locked.status != ReviewStatus.OPEN:
            raise Conflict("this item has already been reviewed")
        locked.status = ReviewStatus.REVIEWED
        locked.reviewed_by = actor
        locked.reviewed_at = clock.now()
        locked.outcome_note = note
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "outcome_note"])
        _audit(AuditAction.REVIEW_COMPLETED, locked, actor=actor, detail={"kind": locked.kind})
    item.status, item.reviewed_by, item.reviewed_at = locked.status, actor, locked.reviewed_at
    item.outcome_note = note
    return item
