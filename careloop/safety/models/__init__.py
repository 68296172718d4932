"""Safety tables: alerts and their lifecycle, escalation policies and the on-call rota, the steps
an alert's escalation took, outbound deliveries with leases, each clinician's numbered inbox, and
the service-wide fallback banner."""

from careloop.safety.models.alerts import (
    OPEN_STATUSES,
    TRANSITIONS,
    Alert,
    AlertOutcome,
    AlertSource,
    AlertStatus,
    Severity,
)
from careloop.safety.models.delivery import (
    AlertDelivery,
    DeliveryState,
    FallbackBanner,
    InboxEntry,
    InboxKind,
    RecipientStream,
)
from careloop.safety.models.escalation import (
    EscalationPolicy,
    EscalationStep,
    EscalationTier,
    OnCallShift,
    StepKind,
    TierTarget,
)
from careloop.safety.models.review import ReviewItem, ReviewKind, ReviewStatus

__all__ = [
    "OPEN_STATUSES",
    "TRANSITIONS",
    "Alert",
    "AlertDelivery",
    "AlertOutcome",
    "AlertSource",
    "AlertStatus",
    "DeliveryState",
    "EscalationPolicy",
    "EscalationStep",
    "EscalationTier",
    "FallbackBanner",
    "InboxEntry",
    "InboxKind",
    "OnCallShift",
    "RecipientStream",
    "ReviewItem",
    "ReviewKind",
    "ReviewStatus",
    "Severity",
    "StepKind",
    "TierTarget",
]
