"""Safety's write path (the only code that changes alerts, escalation and deliveries).

A package because one module would pass the size budget; callers import from here.
"""

from careloop.safety.services.delivery import deliver_alert_messages, sweep_expired_leases
from careloop.safety.services.deterioration import raise_reliable_deterioration
from careloop.safety.services.escalation import escalate_overdue_alerts, notify_raised_alerts
from careloop.safety.services.imported import review_imported_result
from careloop.safety.services.lifecycle import acknowledge_alert, close_alert, record_alert_action
from careloop.safety.services.policies import (
    TierSpec,
    add_on_call_shift,
    policy_for_team,
    rota_gaps,
    set_escalation_policy,
)
from careloop.safety.services.raising import (
    raise_alert_by_clinician,
    raise_alert_for_text_signal,
    raise_alerts_for_assessment,
)
from careloop.safety.services.review import complete_review, request_review
from careloop.safety.services.seed import bulk_create_alerts_for_seed, new_alert_for_seed

__all__ = [
    "TierSpec",
    "acknowledge_alert",
    "add_on_call_shift",
    "bulk_create_alerts_for_seed",
    "close_alert",
    "complete_review",
    "deliver_alert_messages",
    "escalate_overdue_alerts",
    "new_alert_for_seed",
    "notify_raised_alerts",
    "policy_for_team",
    "raise_alert_by_clinician",
    "raise_alert_for_text_signal",
    "raise_alerts_for_assessment",
    "raise_reliable_deterioration",
    "record_alert_action",
    "request_review",
    "review_imported_result",
    "rota_gaps",
    "set_escalation_policy",
    "sweep_expired_leases",
]
