"""Search over CarePlans: measurement plans (monitoring) and safety plans (safety.planning).

The two kinds live in two tables, so a page is a merge: each table is filtered and ordered the
same way in SQL, the first offset+count rows of each are merged, and the page is cut from that.
The total is the sum of the two counts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import F, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest

from careloop.accounts.types import Role
from careloop.fhir.mapping.care_plan import (
    CATEGORY_SYSTEM,
    MEASUREMENT_PLAN,
    SAFETY_PLAN,
    measurement_plan_resource,
    safety_plan_resource,
)
from careloop.fhir.mapping.common import Resource
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.search.common import Page, apply, date_q, ids_q, ordered
from careloop.fhir.search.params import SearchRequest, token
from careloop.monitoring.selectors.plans import measurement_plans_visible_to
from careloop.safety.planning.selectors import (
    current_versions_of_plans,
    safety_plans_visible_to,
    versions_of_plan,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.monitoring.models import MeasurementPlan
    from careloop.safety.planning.models import SafetyPlan, SafetyPlanVersion

_SORT = {"_lastUpdated": "last_updated"}


@dataclass
class CarePlanPage(Page):
    """A page that also names the safety-plan versions it showed (the planning domain audits
    every read of a safety plan with the version read)."""

    safety_versions: list[SafetyPlanVersion] = field(default_factory=list)


def reader_may_see_plan_text(user: User) -> bool:
    """The patient and their care team (the only readers the selectors let through)."""
    return user.role == Role.PATIENT or user.works_in_care_team


def _categories(request: SearchRequest) -> set[str] | None:
    values = request.values("category")
    if not values:
        return None
    wanted = set()
    for value in values:
        parsed = token(value)
        if parsed.system in (None, CATEGORY_SYSTEM):
            wanted.add(parsed.code)
    return wanted


def _common(request: SearchRequest) -> list[Q | None]:
    return [
        ids_q(request, "_id", "id", "CarePlan"),
        ids_q(request, "patient", "patient_id", "Patient"),
        ids_q(request, "subject", "patient_id", "Patient"),
        date_q(request, "_lastUpdated", "last_updated"),
    ]


def measurement_plans(user: User, request: SearchRequest) -> QuerySet[MeasurementPlan]:
    statuses = request.values("status")
    active = {s == "active" for s in statuses if s in ("active", "completed")}
    rows = measurement_plans_visible_to(user).annotate(
        last_updated=Greatest("created_at", Coalesce(Max("items__updated_at"), "created_at")),
        plan_kind=Value(MEASUREMENT_PLAN),
    )
    rows = apply(rows, [*_common(request), Q(active__in=active) if statuses else None])
    categories = _categories(request)
    if categories is not None and MEASUREMENT_PLAN not in categories:
        rows = rows.none()
    return ordered(rows.select_related("patient"), request, _SORT, ["id"])


def safety_plans(user: User, request: SearchRequest) -> QuerySet[SafetyPlan]:
    statuses = request.values("status")
    rows = safety_plans_visible_to(user).annotate(
        last_updated=F("updated_at"), plan_kind=Value(SAFETY_PLAN)
    )
    rows = apply(rows, _common(request))
    categories = _categories(request)
    if (categories is not None and SAFETY_PLAN not in categories) or (
        statuses and "active" not in statuses
    ):
        rows = rows.none()
    return ordered(rows.select_related("patient"), request, _SORT, ["id"])


def _merged(request: SearchRequest, first: list[Any], second: list[Any]) -> list[Any]:
    """Both lists are in the requested order already; merge them the same way SQL ordered them."""
    rows = sorted(first + second, key=lambda row: row.id)
    for _name, descending in reversed(request.sort):  # _lastUpdated is the only sort key
        rows.sort(key=lambda row: row.last_updated, reverse=descending)
    return rows


def search_care_plans(user: User, request: SearchRequest) -> Page:
    measurement = measurement_plans(user, request)
    safety = safety_plans(user, request)
    total = measurement.count() + safety.count()
    page = CarePlanPage(total=total)
    if request.summary_count or request.count == 0:
        return page
    need = request.offset + request.count
    chosen = _merged(
        request, list(measurement.prefetch_related("items")[:need]), list(safety[:need])
    )[request.offset : need]
    include_text = reader_may_see_plan_text(user)
    versions = current_versions_of_plans([row for row in chosen if _is_safety_plan(row)])
    for row in chosen:
        if _is_safety_plan(row):
            version = versions[row.id]
            page.matches.append(safety_plan_resource(row, version, include_text=include_text))
            page.safety_versions.append(version)
        else:
            page.matches.append(measurement_plan_resource(row, list(row.items.all())))
        page.patient_ids.add(row.patient_id)
    if {"CarePlan:subject", "CarePlan:patient"} & set(request.includes):
        patients = {row.patient_id: row.patient for row in chosen}
        page.included = [patient_resource(p) for p in patients.values()]
    return page


def _is_safety_plan(row: Any) -> bool:
    """Which of the two tables a merged row came from (the querysets above annotate it)."""
    return bool(row.plan_kind == SAFETY_PLAN)


def care_plan_versions(user: User, plan_id: str) -> tuple[list[Resource], uuid.UUID] | None:
    """Every version of a CarePlan, newest first, and its patient; None when absent or hidden.

    A safety plan has all its saved versions; a measurement plan only its current state.
    """
    request = SearchRequest("CarePlan", params={"_id": [plan_id]}, count=1)
    plan = safety_plans(user, request).first()
    if plan is not None:
        include_text = reader_may_see_plan_text(user)
        versions = versions_of_plan(plan)
        resources = [safety_plan_resource(plan, v, include_text=include_text) for v in versions]
        return resources, plan.patient_id
    measurement = measurement_plans(user, request).prefetch_related("items").first()
    if measurement is None:
        return None
    resource = measurement_plan_resource(measurement, list(measurement.items.all()))
    return [resource], measurement.patient_id
