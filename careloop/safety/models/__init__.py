"""Safety tables: alerts and their lifecycle, escalation policies and the on-call rota, the steps
an alert's escalation took, outbound deliveries with leases, each clinician's numbered inbox, and
the service-wide fallback banner."""

from careloop.safety.models.alerts import (
    OPEN_STATUSES,
    TRANSITIONS,
    Alert,
)
from careloop.safety.models.delivery import (
    AlertDelivery,
    FallbackBanner,
    InboxEntry,
    RecipientStream,
)
from careloop.safety.models.escalation import (
    EscalationPolicy,
    EscalationStep,
    EscalationTier,
    OnCallShift,
)
from careloop.safety.models.review import ReviewItem
from careloop.safety.types import (
    AlertOutcome,
    AlertSource,
    AlertStatus,
    DeliveryState,
    InboxKind,
    ReviewKind,
    ReviewStatus,
    Severity,
    StepKind,
    TierTarget,
)

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
