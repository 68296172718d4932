"""Escalation: tell the first tier, then the next one each time a tier's window passes without an
acknowledgement, until the chain runs out (then the fallback). Timers live in the database
(`Alert.next_escalation_at`), so a worker crash delays a step by at most one tick, never loses it.

Step k+1 is due `acknowledge_within` after step k actually fired: a late step shifts the ones
after it rather than firing them in a burst, and no step is ever skipped.

Severity decides which tiers may fire in quiet hours (rules/routing.py, rule `severity_routing`):
a low alert tells the team's clinicians at night but waits until quiet hours end before paging
on-call or the service lead; high and moderate alerts page every tier at any hour. A tier that
may not fire yet is deferred (its timer moves to the end of quiet hours, audited), never skipped.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import QuerySet

from careloop.audit.services import linked_at_end
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.safety.models import Alert, EscalationPolicy, EscalationStep, EscalationTier
from careloop.safety.rules.routing import quiet_hours_end, tier_may_fire
from careloop.safety.services.audit import audit_alert
from careloop.safety.services.fallback import fire_fallback
from careloop.safety.services.inbox import append_to_streams
from careloop.safety.services.outbox import queue_deliveries
from careloop.safety.services.policies import policy_for_team, recipients_for
from careloop.safety.types import AlertStatus, InboxKind, StepKind

log = logging.getLogger(__name__)

BATCH_SIZE = 20  # alerts one job run handles; each in its own transaction (below)


def _claim_one(query: QuerySet[Alert]) -> Alert | None:
    """Lock the first alert of `query` that no other worker holds (two workers never page twice)."""
    return (
        query.select_for_update(skip_locked=True, no_key=True, of=("self",))
        .select_related("patient", "service")
        .first()
    )


def _one_per_transaction(
    claim: Callable[[Collection[uuid.UUID]], Alert | None], handle: Callable[[Alert], None]
) -> int:
    """Handle up to BATCH_SIZE alerts, each in its own transaction; return how many were handled.

    One alert per transaction, because a transaction that told several alerts' recipients locked
    their stream heads in an order that was sorted per alert but not across alerts, and two
    workers deadlocked on them (docs/performance.md, the scale run). Within one alert the heads
    are locked in user-id order (inbox.append_to_streams) and the audit chain head last
    (linked_at_end), so two workers' orders agree. An alert that fails is rolled back alone: the
    others are still handled, then the first error is raised so the job run is reported failed
    and the failed alert is retried on the next tick.
    """
    handled = 0
    failed: list[uuid.UUID] = []
    first_error: Exception | None = None
    for _ in range(BATCH_SIZE):
        claimed_id = None
        try:
            with transaction.atomic(), linked_at_end():
                alert = claim(failed)
                if alert is None:
                    break
                claimed_id = alert.id
                handle(alert)
        except Exception as error:
            if claimed_id is None:
                raise  # the claim itself failed: nothing to skip past
            log.exception("alert %s failed in its job; the others go on", claimed_id)
            failed.append(claimed_id)
            first_error = first_error or error
            continue
        handled += 1
    if first_error is not None:
        raise first_error
    return handled


def _fire_tier_step(
    alert: Alert, policy: EscalationPolicy, tier: EscalationTier, due_at: datetime
) -> EscalationStep:
    """Tell one tier: numbered inbox entries and queued messages, all in this transaction."""
    now = clock.now()
    number = tier.position
    recipients, note = recipients_for(alert, policy, tier.target, now)
    step = EscalationStep.objects.create(
        service_id=alert.service_id,
        alert=alert,
        number=number,
        kind=StepKind.TIER,
        policy_version=policy.version,
        target=tier.target,
        acknowledge_within_seconds=tier.acknowledge_within_seconds,
        due_at=due_at,
        fired_at=now,
        recipient_count=len(recipients),
        note=note,
    )
    append_to_streams(alert, step, recipients, InboxKind.ALERT, now)
    queued = queue_deliveries(alert, step, recipients, list(tier.channels))
    alert.escalation_step = number
    alert.next_escalation_at = now + timedelta(seconds=tier.acknowledge_within_seconds)
    alert.save(update_fields=["escalation_step", "next_escalation_at"])
    audit_alert(
        AuditAction.ALERT_ESCALATED if number > 1 else AuditAction.ALERT_NOTIFIED,
        alert,
        actor=None,
        detail={"step": number, "target": tier.target, "recipients": len(recipients)},
    )
    if queued == 0:  # nobody on this tier can be paged: do not wait for the window to find out
        fire_fallback(alert, reason="nobody reachable" if recipients else "nobody to tell")
    return step


def _service_zone(alert: Alert) -> ZoneInfo:
    try:
        return ZoneInfo(alert.service.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a bad zone must not stop the chain; UTC is a visible default


def _fire_or_defer(
    alert: Alert, policy: EscalationPolicy, tier: EscalationTier, due_at: datetime
) -> bool:
    """Fire the tier now, or (a tier this severity may not fire in quiet hours) move the alert's
    timer to the end of quiet hours; True when it fired. The caller holds the alert's row lock."""
    local = clock.now().astimezone(_service_zone(alert))
    if tier_may_fire(alert.severity, tier.target, local):
        _fire_tier_step(alert, policy, tier, due_at=due_at)
        return True
    resume = quiet_hours_end(local)
    alert.next_escalation_at = resume
    alert.save(update_fields=["next_escalation_at"])
    audit_alert(
        AuditAction.ALERT_ESCALATION_DEFERRED,
        alert,
        actor=None,
        detail={
            "step": tier.position,
            "target": tier.target,
            "severity": alert.severity,
            "until": resume.isoformat(),
        },
    )
    return False


def notify_raised_alerts(*, only: Collection[uuid.UUID] | None = None) -> int:
    """Worker job: start the chain of every RAISED alert (RAISED -> NOTIFIED); return how many."""

    def claim(skip: Collection[uuid.UUID]) -> Alert | None:
        query = Alert.objects.filter(status=AlertStatus.RAISED).exclude(id__in=skip)
        if only is not None:
            query = query.filter(id__in=only)
        return _claim_one(query.order_by("raised_at"))

    def notify(alert: Alert) -> None:
        policy = policy_for_team(alert.patient.care_team_id, alert.service_id)
        first = policy.tiers.order_by("position").first()
        if first is None:  # a policy with no tiers cannot be saved; guard all the same
            fire_fallback(alert, reason="no escalation tiers")
        else:
            _fire_or_defer(alert, policy, first, due_at=alert.raised_at)
        alert.status = AlertStatus.NOTIFIED
        alert.notified_at = clock.now()
        alert.save(update_fields=["status", "notified_at"])

    return _one_per_transaction(claim, notify)


def dispatch_now(alert_ids: Collection[uuid.UUID]) -> None:
    """After the triggering commit: start the chain at once instead of at the next worker tick.

    Best effort (the worker is the guarantee): any failure is logged and left to the worker.
    """
    try:
        notify_raised_alerts(only=alert_ids)
    except Exception:
        log.exception("eager alert dispatch failed; the worker will dispatch instead")


def escalate_overdue_alerts() -> int:
    """Worker job: fire the next step of every unacknowledged alert past its window.

    1. Lock an overdue NOTIFIED alert, skipping rows another worker holds. An acknowledgement
       takes the same row lock, so a step and an acknowledgement are strictly ordered.
    2. Fire the next tier, or the fallback when the chain has run out.
    3. Commit, and take the next one (one alert per transaction: _one_per_transaction).
    """
    now = clock.now()

    def claim(skip: Collection[uuid.UUID]) -> Alert | None:
        query = Alert.objects.filter(status=AlertStatus.NOTIFIED, next_escalation_at__lte=now)
        return _claim_one(query.exclude(id__in=skip).order_by("next_escalation_at"))

    def escalate(alert: Alert) -> None:
        policy = policy_for_team(alert.patient.care_team_id, alert.service_id)
        next_tier = policy.tiers.filter(position=alert.escalation_step + 1).first()
        due_at = alert.next_escalation_at or now
        if next_tier is not None:
            _fire_or_defer(alert, policy, next_tier, due_at=due_at)
            return
        alert.next_escalation_at = None
        alert.save(update_fields=["next_escalation_at"])
        fire_fallback(alert, reason="chain exhausted")

    return _one_per_transaction(claim, escalate)
