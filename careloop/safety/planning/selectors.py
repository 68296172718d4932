"""Reads: what a patient's crisis page shows, safety plans, and the safety lead's review list.

Which patient a user may touch is decided by careloop.care.selectors (patient_visible_to,
own_patient_record); everything here starts from a patient that has already passed that check,
or from the reviewer's own service.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet

from careloop.accounts.types import Role
from careloop.care.selectors import patients_visible_to, stream_visible
from careloop.core.errors import NotFound
from careloop.privacy.policy import DataStream
from careloop.safety.planning.directory import (
    CrisisCard,
    CrisisLine,
    Directory,
    crisis_card,
    load_directory,
)
from careloop.safety.planning.models import CrisisResourceReview, SafetyPlan, SafetyPlanVersion

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient
    from careloop.core.models import Service

REVIEWER_ROLES = frozenset({Role.SUPERVISOR, Role.SERVICE_ADMIN})


@cache
def crisis_directory() -> Directory:
    """The packaged data file, read once per process (a new file ships with a new release)."""
    return load_directory()


def reviewer_service(user: User) -> Service:
    """The service whose crisis lines `user` may confirm: their own, if they are its safety lead
    (a supervisor or service admin). Anyone else gets NotFound, as if the page did not exist."""
    if not user.is_authenticated or user.role not in REVIEWER_ROLES or user.service is None:
        raise NotFound("page")
    return user.service


def confirmed_lines(service_id: uuid.UUID) -> frozenset[tuple[str, str]]:
    """(line id, content hash) of every confirmation of this service not withdrawn."""
    rows = CrisisResourceReview.objects.filter(service=service_id, withdrawn_at__isnull=True)
    return frozenset(rows.values_list("entry_id", "entry_sha256"))


def withdrawn_lines(service_id: uuid.UUID) -> frozenset[str]:
    """Line ids the service's safety lead withdrew and has not confirmed again: the public crisis
    page does not show them as directory lines either ("stop showing it" means everywhere)."""
    rows = CrisisResourceReview.objects.filter(service=service_id)
    withdrawn = set(rows.filter(withdrawn_at__isnull=False).values_list("entry_id", flat=True))
    active = set(rows.filter(withdrawn_at__isnull=True).values_list("entry_id", flat=True))
    return frozenset(withdrawn - active)


def patient_language(patient: Patient) -> str:
    return patient.preferred_language or patient.service.default_language


def crisis_card_for(patient: Patient) -> CrisisCard:
    """The crisis resources this patient is shown.

    The patient's country is the service's: Patient has no country of residence (care owns that
    model), and the service country is the fallback the safety brief names.
    """
    return crisis_card(
        crisis_directory(),
        country=patient.service.country_code,
        language=patient_language(patient),
        confirmed=confirmed_lines(patient.service_id),
        include_directory_lines=True,
        withdrawn=withdrawn_lines(patient.service_id),
    )


def current_version_of(patient: Patient) -> SafetyPlanVersion | None:
    if not stream_visible(patient, DataStream.SAFETY):
        return None
    plan = SafetyPlan.objects.filter(patient=patient, service=patient.service_id).first()
    if plan is None or plan.current_version == 0:
        return None
    return version_of(patient, plan.current_version)


def versions_of(patient: Patient) -> QuerySet[SafetyPlanVersion]:
    """Every saved version of the patient's plan, newest first (none if not the reader's)."""
    if not stream_visible(patient, DataStream.SAFETY):
        return SafetyPlanVersion.objects.none()
    return (
        SafetyPlanVersion.objects.filter(service=patient.service_id, plan__patient=patient)
        .select_related("author")
        .order_by("-number")
    )


def version_of(patient: Patient, number: int) -> SafetyPlanVersion:
    version = versions_of(patient).filter(number=number).first()
    if version is None:
        raise NotFound("safety plan version")
    return version


class ReviewState(enum.StrEnum):
    UNVERIFIED = "unverified"  # never shown to patients, cannot be confirmed
    NOT_CONFIRMED = "not_confirmed"
    CONFIRMED = "confirmed"
    LAPSED = "lapsed"  # confirmed once, but the entry's text has changed since
    WITHDRAWN = "withdrawn"  # the safety lead withdrew it: not shown to the service's patients


@dataclass(frozen=True)
class ReviewRow:
    line: CrisisLine
    state: ReviewState
    confirmation: CrisisResourceReview | None  # the one in force, or the lapsed one


def review_rows_for(service: Service) -> list[ReviewRow]:
    """Every line of the service's country with its review state, in directory order."""
    resources = crisis_directory().for_country(service.country_code)
    if resources is None:
        return []
    active = {
        (row.entry_id, row.entry_sha256): row
        for row in CrisisResourceReview.objects.filter(
            service=service, withdrawn_at__isnull=True
        ).select_related("confirmed_by")
    }
    withdrawn = withdrawn_lines(service.id)
    return [_review_row(line, active, withdrawn) for line in resources.lines]


def _review_row(
    line: CrisisLine,
    active: dict[tuple[str, str], CrisisResourceReview],
    withdrawn: frozenset[str] = frozenset(),
) -> ReviewRow:
    if not line.verified:
        return ReviewRow(line, ReviewState.UNVERIFIED, None)
    current = active.get((line.id, line.content_sha256))
    if current is not None:
        return ReviewRow(line, ReviewState.CONFIRMED, current)
    lapsed = next((row for (entry, _), row in active.items() if entry == line.id), None)
    if lapsed is not None:
        return ReviewRow(line, ReviewState.LAPSED, lapsed)
    if line.id in withdrawn:
        return ReviewRow(line, ReviewState.WITHDRAWN, None)
    return ReviewRow(line, ReviewState.NOT_CONFIRMED, None)


def safety_plans_visible_to(user: User) -> QuerySet[SafetyPlan]:
    """Saved safety plans (at least one version) of every patient whose safety stream `user`
    may read (the patient and their care team); nothing outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return SafetyPlan.objects.none()
    return SafetyPlan.objects.filter(
        service_id=user.service_id,
        patient__in=patients_visible_to(user, stream=DataStream.SAFETY),
        current_version__gt=0,
    )


def current_versions_of_plans(plans: list[SafetyPlan]) -> dict[uuid.UUID, SafetyPlanVersion]:
    """The current version of each plan (plans safety_plans_visible_to handed out), by plan."""
    rows = SafetyPlanVersion.objects.filter(
        plan__in=plans, number=F("plan__current_version")
    ).select_related("plan", "plan__patient")
    return {row.plan_id: row for row in rows}


def versions_of_plan(plan: SafetyPlan) -> QuerySet[SafetyPlanVersion]:
    """Every saved version of a plan safety_plans_visible_to handed out, newest first."""
    return SafetyPlanVersion.objects.filter(plan=plan).order_by("-number")
