"""The caseload registry and a patient's schedule. Patients always come from care.selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from careloop.accounts.models import User
from careloop.assessments.models import Assessment
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.selectors import patients_visible_to
from careloop.monitoring.schedule import DEFAULT_PLAN, DueStatus, due_status
from careloop.safety.models import OPEN_STATUSES

REGISTRY_INSTRUMENTS = ("phq9", "gad7")


def _score(instrument_id: str, *, first: bool, episode_only: bool = False) -> Subquery:
    rows = Assessment.objects.filter(
        service_id=OuterRef("service_id"), patient_id=OuterRef("pk"), instrument_id=instrument_id
    )
    if episode_only:
        rows = rows.filter(episode_id=OuterRef("current_episode_id"))
    order = "completed_at" if first else "-completed_at"
    return Subquery(rows.order_by(order).values("score_total")[:1])


def caseload_for(user: User) -> QuerySet[Patient]:
    """The user's visible patients annotated for the registry, most worrying first.

    Baseline is the first score of the current treatment episode (the first ever if the patient
    has no episode); latest is the most recent score. One query, whatever the caseload size.
    """
    current_episode = TreatmentEpisode.objects.filter(
        service_id=OuterRef("service_id"), patient_id=OuterRef("pk")
    ).order_by("-started_on")
    rows = patients_visible_to(user).annotate(
        current_episode_id=Subquery(current_episode.values("id")[:1]),
        last_submission_at=Subquery(
            Assessment.objects.filter(service_id=OuterRef("service_id"), patient_id=OuterRef("pk"))
            .order_by("-completed_at")
            .values("completed_at")[:1]
        ),
        open_alerts=Count("alerts", filter=Q(alerts__status__in=OPEN_STATUSES)),
    )
    for instrument_id in REGISTRY_INSTRUMENTS:
        rows = rows.annotate(
            **{
                f"{instrument_id}_baseline": Coalesce(
                    _score(instrument_id, first=True, episode_only=True),
                    _score(instrument_id, first=True),
                ),
                f"{instrument_id}_latest": _score(instrument_id, first=False),
            }
        )
    ordering = ("-open_alerts", "-phq9_latest", "display_name")  # annotations mypy cannot see
    return rows.select_related("care_team").order_by(*ordering)


@dataclass(frozen=True)
class CaseloadRow:
    """One registry line, with change computed once here rather than in templates."""

    patient: Patient
    phq9_baseline: float | None
    phq9_latest: float | None
    gad7_baseline: float | None
    gad7_latest: float | None
    last_submission_at: datetime | None
    open_alerts: int

    @property
    def phq9_change(self) -> float | None:
        return _change(self.phq9_baseline, self.phq9_latest)

    @property
    def gad7_change(self) -> float | None:
        return _change(self.gad7_baseline, self.gad7_latest)


def _change(baseline: float | None, latest: float | None) -> float | None:
    return None if baseline is None or latest is None else latest - baseline


def caseload_rows(user: User) -> list[CaseloadRow]:
    return [
        CaseloadRow(
            patient=p,
            phq9_baseline=p.phq9_baseline,  # type: ignore[attr-defined]
            phq9_latest=p.phq9_latest,  # type: ignore[attr-defined]
            gad7_baseline=p.gad7_baseline,  # type: ignore[attr-defined]
            gad7_latest=p.gad7_latest,  # type: ignore[attr-defined]
            last_submission_at=p.last_submission_at,  # type: ignore[attr-defined]
            open_alerts=p.open_alerts,  # type: ignore[attr-defined]
        )
        for p in caseload_for(user)
    ]


def schedule_for(patient: Patient, now: datetime) -> list[DueStatus]:
    """Due state of each measure in the patient's plan."""
    statuses = []
    for plan in DEFAULT_PLAN:
        last = (
            Assessment.objects.filter(
                service_id=patient.service_id, patient=patient, instrument_id=plan.instrument_id
            )
            .order_by("-completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        statuses.append(due_status(plan, last, now, patient.time_zone))
    return statuses
