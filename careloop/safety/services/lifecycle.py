"""The alert's state transitions after it is raised: each a service call, locked and audited.

raised -> notified -> acknowledged -> actioned (outcome + note) -> closed. An alert may also be
acknowledged while still raised. Anything else is an IllegalTransition (HTTP 409).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from careloop.accounts.selectors import users_with_ids
from careloop.audit.types import AuditAction
from careloop.care.selectors import require_write
from careloop.core import clock
from careloop.core.errors import InvalidInput
from careloop.safety.errors import IllegalTransition, SecondClinicianRequired
from careloop.safety.models import TRANSITIONS, Alert, FallbackBanner, InboxEntry
from careloop.safety.services.audit import audit_alert
from careloop.safety.services.inbox import append_to_streams
from careloop.safety.services.outbox import cancel_pending_deliveries
from careloop.safety.types import AlertOutcome, AlertStatus, InboxKind

if TYPE_CHECKING:
    from careloop.accounts.models import User

MAX_NOTE_CHARS = 4000


def _lock_for(alert: Alert, target: AlertStatus) -> Alert:
    """Re-read the alert under its row lock and check the state machine allows `target`."""
    # Only the alert row (of=self), and NO KEY UPDATE: a FOR UPDATE on the joined patient row
    # would block the foreign-key checks of every concurrent insert for that patient (deadlock).
    locked = (
        Alert.objects.select_for_update(no_key=True, of=("self",))
        .select_related("patient")
        .get(id=alert.id)
    )
    if target not in TRANSITIONS[locked.status]:
        raise IllegalTransition(locked.status, target)
    return locked


def _clean_note(note: str, *, required: bool) -> str:
    note = note.strip()
    if required and not note:
        raise InvalidInput("a note is required")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"a note can be at most {MAX_NOTE_CHARS} characters")
    return note


@transaction.atomic
def acknowledge_alert(alert: Alert, *, actor: User) -> Alert:
    """Take the alert on: the escalation chain stops, queued pages are cancelled, the banner
    goes, and everyone already told sees in their inbox that it is in hand.

    `alert` must come from a visibility selector (alert_visible_to), so only the patient's team
    can get here; an outsider got 404 before this call. Emergency (break-glass) access sees the
    alert but may not take it on: that would stop the team's escalation (HZ-023).
    """
    require_write(actor, alert.patient)
    alert = _lock_for(alert, AlertStatus.ACKNOWLEDGED)
    now = clock.now()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = now
    alert.acknowledged_by = actor
    alert.next_escalation_at = None
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "next_escalation_at"])
    cancelled = cancel_pending_deliveries(alert)
    FallbackBanner.objects.filter(alert=alert, resolved_at=None).update(resolved_at=now)
    told = users_with_ids(
        InboxEntry.objects.filter(alert=alert, kind=InboxKind.ALERT).values("recipient_id")
    )
    append_to_streams(alert, None, told, InboxKind.ACKNOWLEDGED, now)
    audit_alert(
        AuditAction.ALERT_ACKNOWLEDGED,
        alert,
        actor=actor,
        detail={"step": alert.escalation_step, "cancelled_messages": cancelled},
    )
    return alert


@transaction.atomic
def record_alert_action(alert: Alert, *, actor: User, outcome: str, note: str) -> Alert:
    """Record what was done about an acknowledged alert (acknowledged -> actioned)."""
    if outcome not in AlertOutcome.values:
        raise InvalidInput(f"outcome must be one of {', '.join(AlertOutcome.values)}")
    note = _clean_note(note, required=True)
    require_write(actor, alert.patient)
    alert = _lock_for(alert, AlertStatus.ACTIONED)
    alert.status = AlertStatus.ACTIONED
    alert.actioned_at = clock.now()
    alert.actioned_by = actor
    alert.outcome = outcome
    alert.outcome_note = note
    alert.save(update_fields=["status", "actioned_at", "actioned_by", "outcome", "outcome_note"])
    audit_alert(AuditAction.ALERT_ACTIONED, alert, actor=actor, detail={"outcome": outcome})
    return alert


@transaction.atomic
def close_alert(alert: Alert, *, actor: User) -> Alert:
    """Close an actioned alert. A false positive needs a second clinician (ASVS 2.3.5, C2)."""
    require_write(actor, alert.patient)
    alert = _lock_for(alert, AlertStatus.CLOSED)
    if alert.outcome == AlertOutcome.FALSE_POSITIVE and alert.actioned_by_id == actor.id:
        raise SecondClinicianRequired()
    alert.status = AlertStatus.CLOSED
    alert.closed_at = clock.now()
    alert.closed_by = actor
    alert.save(update_fields=["status", "closed_at", "closed_by"])
    audit_alert(AuditAction.ALERT_CLOSED, alert, actor=actor, detail={"outcome": alert.outcome})
    return alert
