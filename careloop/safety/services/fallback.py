"""The fallback: when nobody could be paged, or the chain ran out, the alert is not dropped.

It fires at most once per alert (one banner per alert, one step numbered 0) and does two things:
1. a banner for every staff member of the service, naming the team but never the patient, that
   stays until someone acknowledges the alert;
2. the team's supervisors (and service lead) are told in-app and on every channel they have.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.notifications.types import Channel
from careloop.safety.models import Alert, EscalationStep, FallbackBanner
from careloop.safety.services.audit import audit_alert
from careloop.safety.services.inbox import append_to_streams
from careloop.safety.services.outbox import queue_deliveries
from careloop.safety.services.policies import policy_for_team, recipients_for, supervisors_of
from careloop.safety.types import InboxKind, StepKind

FALLBACK_STEP_NUMBER = 0


def fire_fallback(alert: Alert, *, reason: str) -> bool:
    """Raise the banner and tell the supervisors, once; return whether it fired now.

    The caller holds the alert's row lock (every path that changes an alert's escalation does),
    so two workers cannot both decide to fire it; the unique constraints back that up.
    """
    if alert.fallback_fired_at is not None:
        return False
    now = clock.now()
    try:
        with transaction.atomic():
            step = EscalationStep.objects.create(
                service_id=alert.service_id,
                alert=alert,
                number=FALLBACK_STEP_NUMBER,
                kind=StepKind.FALLBACK,
                due_at=now,
                fired_at=now,
                note=reason,
            )
            FallbackBanner.objects.create(
                service_id=alert.service_id,
                alert=alert,
                care_team_id=alert.patient.care_team_id,
                reason=reason[:40],
                raised_at=now,
            )
    except IntegrityError:
        return False  # already fired by an earlier transaction
    recipients = supervisors_of(alert)
    policy = policy_for_team(alert.patient.care_team_id, alert.service_id)
    if policy.service_lead_id:
        lead, _ = recipients_for(alert, policy, "service_lead", now)
        recipients = list({user.id: user for user in [*recipients, *lead]}.values())
    step.recipient_count = len(recipients)
    step.save(update_fields=["recipient_count"])
    append_to_streams(alert, step, recipients, InboxKind.ALERT, now)
    queue_deliveries(alert, step, recipients, [str(channel) for channel in Channel])
    alert.fallback_fired_at = now
    alert.save(update_fields=["fallback_fired_at"])
    audit_alert(AuditAction.ALERT_FALLBACK_FIRED, alert, actor=None, detail={"reason": reason})
    return True
