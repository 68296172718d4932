"""JSON API: a patient's outcomes per treatment episode (the outcome engine, read-only)."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from careloop.accounts.api import api_user
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import patient_visible_to
from careloop.core.api import ApiError
from careloop.monitoring.outcome_selectors import EpisodeOutcomes, episode_outcomes_for
from careloop.monitoring.outcomes import bands, cocm, nhs_tt, service_metrics
from careloop.monitoring.outcomes.change import RCI_SOURCE
from careloop.monitoring.outcomes.episode import BandPosition, InstrumentChange
from careloop.monitoring.outcomes.nhs_tt import PairedScore

router = Router(tags=["outcomes"], auth=django_auth)


class PairedScoreOut(Schema):
    taken_on: date
    phq9: float
    gad7: float


class NhsTtOut(Schema):
    sessions_attended: int
    sessions_basis: str
    finished_treatment: bool
    first_paired: PairedScoreOut | None
    last_paired: PairedScoreOut | None
    caseness_at_start: bool | None
    phq9_case_at_start: bool | None
    gad7_case_at_start: bool | None
    recovered: bool | None
    reliable_improvement: bool | None
    reliable_recovery: bool | None
    reliable_deterioration: bool | None


class ChangeOut(Schema):
    instrument: str
    baseline: float
    baseline_on: date
    latest: float
    latest_on: date
    measurements: int
    change: float
    percent_change: float | None
    rci: float
    threshold_points: float
    direction: str
    basis: str
    source: str
    unverified: str | None


class CocmOut(Schema):
    baseline: float
    latest: float
    percent_change: float | None
    weeks_in_treatment: float
    response: bool
    remission: bool
    review: str
    baseline_meets_eligibility: bool


class BandOut(Schema):
    score: float
    week: int
    status: str
    basis: str
    label: str
    stratum: str | None
    strata_pooled: list[str]
    weeks_pooled: list[int] | None
    observations: int
    percentiles: dict[str, float]
    alert_at_or_above: float | None
    source: str
    unverified: str | None


class EpisodeOutcomeOut(Schema):
    episode_id: uuid.UUID
    referred_on: date
    started_on: date
    ended_on: date | None
    ending: str
    is_final: bool
    nhs_tt: NhsTtOut
    phq9: ChangeOut | None
    gad7: ChangeOut | None
    cocm: CocmOut | None
    expected_band: BandOut | None


class PatientOutcomesOut(Schema):
    patient_id: uuid.UUID
    episodes: list[EpisodeOutcomeOut]
    definitions: dict[str, str]


DEFINITIONS = {
    **{f"nhs_tt.{key}": text for key, text in nhs_tt.SOURCES.items()},
    **{f"cocm.{key}": text for key, text in cocm.SOURCES.items()},
    "rci": RCI_SOURCE,
    "expected_band": bands.SOURCE,
    "nhs_tt.service_denominators": "; ".join(service_metrics.DENOMINATOR_SOURCES.values()),
}


def _paired(score: PairedScore | None) -> PairedScoreOut | None:
    if score is None:
        return None
    return PairedScoreOut(taken_on=score.taken_on, phq9=score.phq9, gad7=score.gad7)


def _change(change: InstrumentChange | None) -> ChangeOut | None:
    if change is None:
        return None
    result = change.change
    return ChangeOut(
        instrument=change.instrument_id,
        baseline=result.baseline,
        baseline_on=change.baseline_on,
        latest=result.latest,
        latest_on=change.latest_on,
        measurements=change.measurements,
        change=result.change_points,
        percent_change=result.percent_change,
        rci=result.rci,
        threshold_points=result.threshold_points,
        direction=result.direction,
        basis=result.basis,
        source=result.source,
        unverified=result.unverified,
    )


def _cocm(status: cocm.CocmStatus | None) -> CocmOut | None:
    if status is None:
        return None
    return CocmOut(
        baseline=status.baseline,
        latest=status.latest,
        percent_change=status.percent_change,
        weeks_in_treatment=status.weeks_in_treatment,
        response=status.is_response,
        remission=status.is_remission,
        review=status.review,
        baseline_meets_eligibility=status.baseline_meets_eligibility,
    )


def _band(position: BandPosition | None) -> BandOut | None:
    if position is None:
        return None
    band = position.band
    return BandOut(
        score=position.score,
        week=position.week,
        status=position.status,
        basis=band.basis,
        label=band.label,
        stratum=band.stratum,
        strata_pooled=list(band.strata),
        weeks_pooled=list(band.weeks) if band.weeks else None,
        observations=band.observations,
        percentiles={f"p{p}": value for p, value in band.percentiles.items()},
        alert_at_or_above=band.alert_at_or_above,
        source=band.source,
        unverified=band.unverified,
    )


def _episode(outcome: EpisodeOutcomes) -> EpisodeOutcomeOut:
    episode, summary, result = outcome.episode, outcome.summary, outcome.summary.nhs_tt
    return EpisodeOutcomeOut(
        episode_id=episode.id,
        referred_on=episode.referred_on,
        started_on=episode.started_on,
        ended_on=episode.ended_on,
        ending=episode.ending,
        is_final=result.is_ended,
        nhs_tt=NhsTtOut(
            sessions_attended=result.sessions_attended,
            sessions_basis=result.sessions_basis,
            finished_treatment=result.finished_treatment,
            first_paired=_paired(result.first),
            last_paired=_paired(result.last),
            caseness_at_start=result.caseness_at_start,
            phq9_case_at_start=result.phq9_case_at_start,
            gad7_case_at_start=result.gad7_case_at_start,
            recovered=result.recovered,
            reliable_improvement=result.reliable_improvement,
            reliable_recovery=result.reliable_recovery,
            reliable_deterioration=result.reliable_deterioration,
        ),
        phq9=_change(summary.phq9),
        gad7=_change(summary.gad7),
        cocm=_cocm(summary.cocm),
        expected_band=_band(outcome.band_position),
    )


@router.get(
    "/patients/{patient_id}/outcomes",
    response={200: PatientOutcomesOut, 404: ApiError},
    summary="A patient's outcomes per treatment episode (NHS TT, change, CoCM, expected band)",
)
def patient_outcomes(request: HttpRequest, patient_id: uuid.UUID) -> PatientOutcomesOut:
    user = api_user(request)
    patient = patient_visible_to(user, patient_id)
    outcomes = episode_outcomes_for(patient)
    record_event(
        actor=user,
        action=AuditAction.ASSESSMENTS_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        obj=("Patient", patient.id),
        purpose=PurposeOfUse.PATRQT if patient.user_id == user.id else PurposeOfUse.TREAT,
        detail={"view": "outcomes", "episodes": len(outcomes)},
    )
    return PatientOutcomesOut(
        patient_id=patient.id,
        episodes=[_episode(outcome) for outcome in outcomes],
        definitions=DEFINITIONS,
    )
