"""Reads of alerts, limited to the patients the reader may see (care.selectors)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from careloop.care.selectors import patient_visible_to, patients_visible_to, teams_of
from careloop.core.errors import NotFound
from careloop.privacy.policy import DataStream
from careloop.safety.models import (
    OPEN_STATUSES,
    Alert,
    AlertDelivery,
    EscalationPolicy,
    EscalationStep,
    FallbackBanner,
    InboxEntry,
    OnCallShift,
    RecipientStream,
    ReviewItem,
)
from careloop.safety.services.policies import DEFAULT_TIERS, TierSpec
from careloop.safety.types import (
    AlertSource,
    AlertStatus,
    InboxKind,
    ReviewStatus,
    StepKind,
    TierTarget,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import CareTeam

INBOX_PAGE_MAX = 200


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    """Alerts of the patients `user` may see, newest first."""
    if not user.works_in_care_team or user.service_id is None:
        return Alert.objects.none()
    return (
        Alert.objects.filter(service=user.service_id, patient__in=patients_visible_to(user))
        .select_related("patient", "patient__care_team", "assessment")
        .order_by("-raised_at")
    )


def alert_visible_to(user: User, alert_id: uuid.UUID) -> Alert:
    alert = alerts_visible_to(user).filter(id=alert_id).first()
    if alert is None:
        raise NotFound("alert")
    return alert


def open_reviews_for_caseload(user: User) -> QuerySet[ReviewItem]:
    """Open review items of the patients in the user's own care teams, oldest first.

    The caseload (team membership) and the access policy both apply: emergency access to another
    team's patient shows that patient's record, not a queue of work for their team.
    """
    if not user.works_in_care_team or user.service_id is None:
        return ReviewItem.objects.none()
    return (
        ReviewItem.objects.filter(
            service=user.service_id,
            status=ReviewStatus.OPEN,
            patient__in=patients_visible_to(user),
            patient__care_team__in=teams_of(user),
        )
        .select_related("patient")
        .order_by("created_at")
    )


def review_item_visible_to(user: User, item_id: uuid.UUID) -> ReviewItem:
    """One review item of a patient the user may open (NotFound otherwise, never 403).

    The patient is loaded through care.selectors, so the item carries the access decision
    (break-glass is read-only) that `complete_review` checks.
    """
    if not user.works_in_care_team or user.service_id is None:
        raise NotFound("review item")
    item = ReviewItem.objects.filter(service=user.service_id, id=item_id).first()
    if item is None:
        raise NotFound("review item")
    try:
        item.patient = patient_visible_to(user, item.patient_id)
    except NotFound:
        raise NotFound("review item") from None
    return item


@dataclass(frozen=True)
class InboxItem:
    seq: int
    entry: InboxEntry
    alert: Alert | None  # None: the reader may no longer see this alert (kept to show no gap)


@dataclass(frozen=True)
class InboxPage:
    last_seq: int  # the head of the stream: anything up to here exists
    items: list[InboxItem]


def inbox_head(user: User) -> int:
    stream = RecipientStream.objects.filter(user=user).values_list("last_seq", flat=True).first()
    return int(stream or 0)


def inbox_page(user: User, *, after_seq: int, limit: int = 100) -> InboxPage:
    """The reader's own stream after `after_seq`, in order, at most `limit` entries.

    Entries about alerts the reader can no longer see (they left the team) keep their number but
    carry no alert, so the numbers stay contiguous and nothing leaks.
    """
    limit = max(1, min(limit, INBOX_PAGE_MAX))
    entries = list(
        InboxEntry.objects.filter(recipient=user, seq__gt=max(after_seq, 0))
        .select_related("step")
        .order_by("seq")[:limit]
    )
    visible = {
        alert.id: alert
        for alert in alerts_visible_to(user).filter(id__in={e.alert_id for e in entries})
    }
    items = [InboxItem(e.seq, e, visible.get(e.alert_id)) for e in entries]
    return InboxPage(last_seq=inbox_head(user), items=items)


def recent_inbox(user: User, count: int = 50) -> InboxPage:
    """The last `count` entries of the reader's stream (for the first render of the page)."""
    head = inbox_head(user)
    return inbox_page(user, after_seq=max(head - count, 0), limit=count)


def active_banners_for(user: User) -> QuerySet[FallbackBanner]:
    """Unresolved fallback banners of the user's service, for every staff member."""
    if not user.is_staff_role or user.service_id is None:
        return FallbackBanner.objects.none()
    return (
        FallbackBanner.objects.filter(service_id=user.service_id, resolved_at=None)
        .select_related("care_team")
        .order_by("raised_at")
    )


@dataclass(frozen=True)
class BannerSummary:
    """One team's undeliverable urgent alerts, as the service-wide banner shows them."""

    team_id: uuid.UUID
    team_name: str
    count: int
    since: datetime


def banner_summaries_for(user: User) -> list[BannerSummary]:
    """One line per care team with unresolved fallback banners (one aggregate query).

    One banner per undeliverable alert would repeat the same warning down every page (and cost
    hundreds of milliseconds to render on a large service: docs/performance.md).
    """
    rows = (
        active_banners_for(user)
        .order_by()
        .values("care_team_id", "care_team__name")
        .annotate(count=Count("id"), since=Min("raised_at"))
        .order_by("since")
    )
    return [
        BannerSummary(r["care_team_id"], r["care_team__name"], r["count"], r["since"]) for r in rows
    ]


@dataclass(frozen=True)
class AlertTimeline:
    steps: list[EscalationStep]
    deliveries: list[AlertDelivery]


def timeline_of(alert: Alert) -> AlertTimeline:
    """Steps and deliveries of an alert that came from alert_visible_to."""
    return AlertTimeline(
        steps=list(alert.steps.order_by("fired_at", "number")),
        deliveries=list(alert.deliveries.select_related("recipient").order_by("created_at")),
    )


def team_visible_to(user: User, team_id: uuid.UUID) -> CareTeam:
    """A care team the user belongs to (NotFound otherwise)."""
    team = teams_of(user).filter(id=team_id).first()
    if team is None:
        raise NotFound("team")
    return team


@dataclass(frozen=True)
class PolicyView:
    version: int  # 0: the team has not stored a policy yet; the default applies
    tiers: list[TierSpec]
    service_lead: User | None
    changed_by: User | None
    changed_at: datetime | None


def policy_view(team: CareTeam) -> PolicyView:
    """The escalation policy of a team from team_visible_to (the default if none is stored)."""
    policy = (
        EscalationPolicy.objects.filter(care_team=team)
        .select_related("service_lead", "changed_by")
        .first()
    )
    if policy is None:
        defaults = [TierSpec(target, seconds) for target, seconds in DEFAULT_TIERS]
        return PolicyView(0, defaults, None, None, None)
    tiers = [
        TierSpec(TierTarget(t.target), t.acknowledge_within_seconds, tuple(t.channels))
        for t in policy.tiers.order_by("position")
    ]
    return PolicyView(
        policy.version, tiers, policy.service_lead, policy.changed_by, policy.changed_at
    )


def rota_of(team: CareTeam, *, limit: int = 100) -> QuerySet[OnCallShift]:
    return (
        OnCallShift.objects.filter(care_team=team)
        .select_related("user")
        .order_by("-starts_at")[:limit]
    )


# Expressions for another domain's rows (monitoring's caseload registry and follow-up offers):
# they annotate rows the caller already took through care.selectors and say only whether and
# when alerts exist, never what they say.


def patient_open_alert_count_expression() -> Coalesce:
    """A patient row's number of open alerts.

    A correlated count, not a join: joining alerts would make PostgreSQL group by every other
    annotation and evaluate each score subquery again per group (1.1 s -> 25 ms, 53 patients).
    """
    open_alerts = (
        Alert.objects.filter(
            service_id=OuterRef("service_id"), patient_id=OuterRef("pk"), status__in=OPEN_STATUSES
        )
        .order_by()
        .values("patient_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    return Coalesce(Subquery(open_alerts[:1], output_field=IntegerField()), 0)


def trigger_alert_state_annotations(assessment_field: str) -> dict[str, Exists | Subquery]:
    """Annotations for rows naming an assessment in `assessment_field` (and a `service_id`):
    `any_alert` (the assessment raised an alert), `open_alert` (one is not yet closed) and
    `last_closed_at` (when the last one was closed)."""
    alerts = Alert.objects.filter(
        service_id=OuterRef("service_id"), assessment_id=OuterRef(assessment_field)
    )
    return {
        "any_alert": Exists(alerts),
        "open_alert": Exists(alerts.exclude(status=AlertStatus.CLOSED)),
        "last_closed_at": Subquery(alerts.order_by("-closed_at").values("closed_at")[:1]),
    }


def automated_alerts_visible_to(user: User) -> QuerySet[Alert]:
    """Alerts a rule or the text detector raised (not a clinician): the care team only, as
    alerts_visible_to, while the policy lets them read the patient's safety stream."""
    return (
        alerts_visible_to(user)
        .filter(patient__in=patients_visible_to(user, stream=DataStream.SAFETY))
        .exclude(source=AlertSource.CLINICIAN)
    )


def alerts_of_patients_for_system(
    service_id: uuid.UUID, patient_ids: list[uuid.UUID]
) -> QuerySet[Alert]:
    """System read for the bulk export job: the service's alerts about these patients (the job
    has already kept only the patients whose consent allows the export)."""
    return Alert.objects.filter(service_id=service_id, patient_id__in=patient_ids)


def alert_last_updated() -> Coalesce:
    """When an alert last changed: its latest lifecycle move (FHIR Flag meta.lastUpdated)."""
    return Coalesce("closed_at", "actioned_at", "acknowledged_at", "notified_at", "raised_at")


def patients_with_alerts_updated_since_for_system(
    service_id: uuid.UUID, since: datetime
) -> QuerySet[Any, uuid.UUID]:
    """System read for the bulk export job: the ids of the service's patients with an alert
    that changed after `since` (lazy, so it nests as a subquery)."""
    return (
        Alert.objects.filter(service_id=service_id)
        .annotate(last_updated=alert_last_updated())
        .filter(last_updated__gt=since)
        .values_list("patient_id", flat=True)
    )


def alert_rows_for_seed(service_id: uuid.UUID) -> QuerySet[Any, Any]:
    """The service's alerts as value rows in id order (the synthetic loader's digest)."""
    return (
        Alert.objects.filter(service_id=service_id)
        .order_by("id")
        .values_list(
            "id", "patient_id", "assessment_id", "rule_id", "rule_version", "severity", "evidence"
        )
    )


# --- The escalation clock of one alert (the alert page and the inbox list) ----------------------


@dataclass(frozen=True)
class ToldStep:
    """One step that fired: which tier (or the fallback), when, and who was told in the app."""

    number: int  # 1, 2, 3...; 0 is the fallback
    is_fallback: bool
    target: str  # a TierTarget value; "" for the fallback
    fired_at: datetime
    people: list[str]
    note: str


@dataclass(frozen=True)
class NextStep:
    """The step the worker fires at `due_at` unless someone acknowledges first."""

    due_at: datetime
    number: int  # the tier position, or 0 when the chain has run out and the fallback is next
    target: str  # a TierTarget value; "" for the fallback


@dataclass(frozen=True)
class EscalationClock:
    raised_at: datetime
    told: list[ToldStep]
    next_step: NextStep | None  # None: not dispatched yet, acknowledged, or the chain has ended
    tier_count: int
    stopped_at: datetime | None  # acknowledged: escalation stopped here
    stopped_by: str


def person_name(user: User | None) -> str:
    """How a colleague is named on staff pages: full name, else their sign-in name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _next_step(alert: Alert, tiers: list[TierSpec]) -> NextStep | None:
    if alert.next_escalation_at is None or alert.status != AlertStatus.NOTIFIED:
        return None
    position = alert.escalation_step + 1
    if position <= len(tiers):
        return NextStep(alert.next_escalation_at, position, tiers[position - 1].target)
    return NextStep(alert.next_escalation_at, 0, "")


def escalation_clock_of(alert: Alert) -> EscalationClock:
    """How long since the alert was raised, who has been told, and what fires next (and when).

    `alert` came from alert_visible_to. The next tier is read from the team's current policy,
    as the worker reads it when the timer runs out (escalate_overdue_alerts)."""
    tiers = policy_view(alert.patient.care_team).tiers
    entries = (
        InboxEntry.objects.filter(alert=alert, kind=InboxKind.ALERT, step__isnull=False)
        .select_related("recipient")
        .order_by("seq")
    )
    people: dict[uuid.UUID, list[str]] = {}
    for entry in entries:
        assert entry.step_id is not None
        people.setdefault(entry.step_id, []).append(person_name(entry.recipient))
    told = [
        ToldStep(
            number=step.number,
            is_fallback=step.kind == StepKind.FALLBACK,
            target=step.target,
            fired_at=step.fired_at,
            people=sorted(set(people.get(step.id, []))),
            note=step.note,
        )
        for step in alert.steps.order_by("fired_at", "number")
    ]
    return EscalationClock(
        raised_at=alert.raised_at,
        told=told,
        next_step=_next_step(alert, tiers),
        tier_count=len(tiers),
        stopped_at=alert.acknowledged_at,
        stopped_by=person_name(alert.acknowledged_by),
    )


def next_steps_of(alerts: list[Alert]) -> dict[uuid.UUID, NextStep]:
    """The next escalation step of each open alert in a list (one policy read per team)."""
    policies: dict[uuid.UUID, list[TierSpec]] = {}
    result = {}
    for alert in alerts:
        if alert.next_escalation_at is None:
            continue
        team = alert.patient.care_team
        if team.id not in policies:
            policies[team.id] = policy_view(team).tiers
        step = _next_step(alert, policies[team.id])
        if step is not None:
            result[alert.id] = step
    return result
