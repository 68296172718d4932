"""Reads of assessments, always through a patient the reader may see (care.selectors)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, F, Max, OuterRef, QuerySet, Subquery, TextField, Window
from django.db.models.functions import Cast, RowNumber

from careloop.assessments.models import Assessment
from careloop.care.selectors import patients_visible_to, stream_readable, stream_visible
from careloop.privacy.policy import DataStream

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


def assessments_of(patient: Patient, *, instrument_id: str | None = None) -> QuerySet[Assessment]:
    """A visible patient's assessments, newest first. `patient` must come from a selector.

    None if the reader may not see questionnaires (the patient withdrew them from their care).
    """
    if not stream_visible(patient, DataStream.QUESTIONNAIRES):
        return Assessment.objects.none()
    rows = Assessment.objects.filter(service_id=patient.service_id, patient=patient)
    if instrument_id is not None:
        rows = rows.filter(instrument_id=instrument_id)
    return rows.order_by("-completed_at")


# Reads for monitoring's schedule and caseload registry. They return completion times, or
# expressions that annotate patient rows the caller already took from care.selectors; which
# scores a reader may see is the caller's consent check (the registry withholds scores of a
# patient who does not share questionnaires, and still counts the completion dates).


def latest_completion_times(
    patient_ids: Iterable[uuid.UUID] | QuerySet[Any], *, service_ids: Iterable[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], datetime]:
    """When each of these patients last completed each instrument (one grouped query).

    An incomplete response (kept for its risk answer) is not a completion: the measure stays
    due, so the patient is still asked to finish it (docs/api/answers.md).
    """
    rows = (
        Assessment.objects.filter(service_id__in=set(service_ids), patient_id__in=patient_ids)
        .exclude(status="incomplete")
        .values("patient_id", "instrument_id")
        .annotate(last=Max("completed_at"))
    )
    return {(row["patient_id"], row["instrument_id"]): row["last"] for row in rows}


def patient_score_expression(
    instrument_id: str, *, first: bool, episode_only: bool = False
) -> Subquery:
    """A patient row's first or latest total of an instrument (None if never scored); with
    `episode_only`, within the episode the row annotates as `current_episode_id`.

    Within an episode the episode names the patient (an assessment's episode is its patient's),
    so that read filters by episode, not patient: it is then one probe of the covering
    `assessment_episode_scores` index that never visits the table, where the patient condition
    made PostgreSQL AND two bitmap index scans (0.13 ms a row: 50 of the registry's 75 ms at
    200 patients, docs/workspace/registry.md)."""
    scored = Assessment.objects.filter(
        service_id=OuterRef("service_id"), instrument_id=instrument_id
    ).exclude(score_total=None)  # an incomplete response (kept for its risk answer) has no score
    if episode_only:
        rows = scored.filter(episode_id=OuterRef("current_episode_id"))
    else:
        rows = scored.filter(patient_id=OuterRef("pk"))
    order = "completed_at" if first else "-completed_at"
    return Subquery(rows.order_by(order).values("score_total")[:1])


def patient_last_completion_expression(instrument_id: str) -> Subquery:
    """A patient row's latest completion of one instrument (None if never completed): an
    incomplete response (kept for its risk answer) is not a completion, as in
    latest_completion_times. One probe of the (service, patient, instrument, -completed_at)
    index per row."""
    return Subquery(
        Assessment.objects.filter(
            service_id=OuterRef("service_id"),
            patient_id=OuterRef("pk"),
            instrument_id=instrument_id,
        )
        .exclude(status="incomplete")
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )


def patient_last_submission_expression() -> Subquery:
    """A patient row's latest questionnaire submission time (None if none)."""
    return Subquery(
        Assessment.objects.filter(service_id=OuterRef("service_id"), patient_id=OuterRef("pk"))
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )


def recent_scores_of_patients(
    patient_ids: list[uuid.UUID],
    *,
    service_ids: Iterable[uuid.UUID],
    instruments: tuple[str, ...],
    count: int,
) -> dict[tuple[uuid.UUID, str], list[float]]:
    """The last `count` scored totals of each instrument for each of these patients, oldest
    first, keyed (patient id, instrument id): one query whatever the number of patients (a
    window per patient and instrument, read through the (service, patient, instrument,
    -completed_at) index). For the registry's sparklines: the caller shows them only for patients
    who share questionnaires with the team."""
    if not patient_ids:
        return {}
    newest_first = Window(
        RowNumber(),
        partition_by=[F("patient_id"), F("instrument_id")],
        order_by=F("completed_at").desc(),
    )
    rows = (
        Assessment.objects.filter(
            service_id__in=set(service_ids),
            patient_id__in=patient_ids,
            instrument_id__in=instruments,
            score_total__isnull=False,
        )
        .annotate(recency=newest_first)
        .filter(recency__lte=count)
        .order_by("patient_id", "instrument_id", "completed_at")
        .values_list("patient_id", "instrument_id", "score_total")
    )
    scores: dict[tuple[uuid.UUID, str], list[float]] = {}
    for patient_id, instrument_id, total in rows:
        if total is not None:  # excluded above; the column is nullable
            scores.setdefault((patient_id, instrument_id), []).append(float(total))
    return scores


# Reads for monitoring's outcome engine: scored totals (no item answers), by treatment episode.

ScoreRow = tuple[str, float | None, datetime]  # instrument id, total, completed at


def episode_scores_of(
    patient: Patient, instruments: tuple[str, ...]
) -> list[tuple[uuid.UUID, ScoreRow]]:
    """A visible patient's scored totals filed under an episode, as (episode id, row), by episode
    then time; empty if the reader may not see questionnaires (the patient withdrew them).
    `patient` must come from a selector."""
    if not stream_visible(patient, DataStream.QUESTIONNAIRES):
        return []
    rows = (
        Assessment.objects.filter(
            service_id=patient.service_id,
            patient=patient,
            instrument_id__in=instruments,
            episode__isnull=False,
            score_total__isnull=False,
        )
        .order_by("episode_id", "completed_at")
        .values_list("episode_id", "instrument_id", "score_total", "completed_at")
    )
    return [(episode_id, (instrument, total, at)) for episode_id, instrument, total, at in rows]


def episode_score_rows_for_system(
    service_id: uuid.UUID, episode_ids: list[uuid.UUID], instruments: tuple[str, ...]
) -> QuerySet[Any, tuple[uuid.UUID, str, float | None, str]]:
    """System read for service reports (aggregated before anyone sees them): the scored totals
    of these episodes as (episode id, instrument id, total, completed at as text), by episode
    then time, read through the assessment→episode index."""
    return (
        Assessment.objects.filter(
            service_id=service_id,
            episode_id__in=episode_ids,
            instrument_id__in=instruments,
            score_total__isnull=False,
        )
        .order_by("episode_id", "completed_at")
        # The instant as text: Django's PostgreSQL timestamptz loader is pure Python (about
        # 25 µs a row, most of a 100k-patient report); the C `datetime.fromisoformat` is not.
        .annotate(completed_text=Cast("completed_at", TextField()))
        .values_list("episode_id", "instrument_id", "score_total", "completed_text")
    )


def episode_has_scores_expression(service_id: uuid.UUID, instruments: tuple[str, ...]) -> Exists:
    """For an episode row (`pk`): whether it has a scored total of one of `instruments`."""
    return Exists(
        Assessment.objects.filter(
            service_id=service_id,
            episode_id=OuterRef("pk"),
            instrument_id__in=instruments,
            score_total__isnull=False,
        )
    )


# Per episode: each instrument's last score of each local day (the NHS TT pairing keeps the later
# one too), the days folded into PHQ-9/GAD-7 columns, then the first and last paired day.
_PAIRED_DAYS_SQL = """
WITH episode (id, zone) AS (SELECT * FROM unnest(%(ids)s::uuid[], %(zones)s::text[])),
last_of_day AS (
    SELECT DISTINCT ON (a.episode_id, day, a.instrument_id)
           a.episode_id, (a.completed_at AT TIME ZONE episode.zone)::date AS day,
           a.instrument_id, a.score_total
    FROM {assessments} a JOIN episode ON episode.id = a.episode_id
    WHERE a.service_id = %(service)s AND a.episode_id = ANY(%(ids)s::uuid[])
      AND a.instrument_id IN ('phq9', 'gad7') AND a.score_total IS NOT NULL
    ORDER BY a.episode_id, day, a.instrument_id, a.completed_at DESC
),
by_day AS (
    SELECT episode_id, day,
           max(score_total) FILTER (WHERE instrument_id = 'phq9') AS phq9,
           max(score_total) FILTER (WHERE instrument_id = 'gad7') AS gad7
    FROM last_of_day GROUP BY episode_id, day
)
SELECT episode_id, count(*),
       count(*) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL),
       (array_agg(day ORDER BY day) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL))[1],
       (array_agg(phq9 ORDER BY day) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL))[1],
       (array_agg(gad7 ORDER BY day) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL))[1],
       max(day) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL),
       (array_agg(phq9 ORDER BY day DESC) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL))[1],
       (array_agg(gad7 ORDER BY day DESC) FILTER (WHERE phq9 IS NOT NULL AND gad7 IS NOT NULL))[1]
FROM by_day GROUP BY episode_id
"""


def paired_phq9_gad7_days_for_system(
    service_id: uuid.UUID, episode_ids: list[uuid.UUID], zones: list[str]
) -> list[tuple[Any, ...]]:
    """System read for service reports, PostgreSQL only: per episode (each with the time zone
    its days are counted in), reduced in the database to (episode id, days with a PHQ-9 or
    GAD-7, paired days, first paired day, its PHQ-9, its GAD-7, last paired day, its PHQ-9, its
    GAD-7): a 100k-patient service sends ~100k rows to Python instead of ~1.3M."""
    sql = _PAIRED_DAYS_SQL.format(assessments=connection.ops.quote_name(Assessment._meta.db_table))
    params: dict[str, Any] = {"ids": episode_ids, "zones": zones, "service": service_id}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def scores_for_research_for_system(
    patient_ids: Iterable[uuid.UUID],
) -> Iterator[tuple[uuid.UUID, str, datetime, float | None]]:
    """System read for a research extract (the caller holds only consenting patients and audits
    the release): each completed questionnaire as (patient id, instrument id, completed at,
    total). Incomplete ones are left out: unscored, kept for their risk answer only."""
    return (
        Assessment.objects.filter(patient_id__in=patient_ids)
        .exclude(status="incomplete")
        .values_list("patient_id", "instrument_id", "completed_at", "score_total")
        .iterator(2000)
    )


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Assessments of every patient whose questionnaire answers `user` may read (their own, or
    their care team's patients while consent allows: care.selectors decides); a withdrawal hides
    them here too. Nothing outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return Assessment.objects.none()
    visible = patients_visible_to(user, stream=DataStream.QUESTIONNAIRES)
    return Assessment.objects.filter(service_id=user.service_id, patient__in=visible)


def assessments_of_patient_visible_to(user: User, patient_id: uuid.UUID) -> QuerySet[Assessment]:
    """As assessments_visible_to for one named patient: that patient is judged alone (a few
    indexed reads) instead of through the team-wide visibility subquery."""
    if (
        not user.is_authenticated
        or user.service_id is None
        or not stream_readable(user, patient_id, DataStream.QUESTIONNAIRES)
    ):
        return Assessment.objects.none()
    return Assessment.objects.filter(service_id=user.service_id, patient_id=patient_id)


def assessments_of_patients_for_system(
    service_id: uuid.UUID, patient_ids: Iterable[uuid.UUID]
) -> QuerySet[Assessment]:
    """System read for the bulk export job: the service's assessments of these patients (the
    job has already kept only the patients whose consent allows the export)."""
    return Assessment.objects.filter(service_id=service_id, patient_id__in=patient_ids)


def patients_assessed_since_for_system(
    service_id: uuid.UUID, since: datetime
) -> QuerySet[Any, uuid.UUID]:
    """System read for the bulk export job: the ids of the service's patients with an
    assessment recorded after `since` (lazy, so it nests as a subquery): an export with
    `_since` then reads only their assessments instead of every consenting patient's."""
    return Assessment.objects.filter(service_id=service_id, recorded_at__gt=since).values_list(
        "patient_id", flat=True
    )


def assessment_rows_for_seed(service_id: uuid.UUID) -> QuerySet[Any, Any]:
    """The service's assessments as value rows in id order (the synthetic loader's digest)."""
    return (
        Assessment.objects.filter(service_id=service_id)
        .order_by("id")
        .values_list(
            "id",
            "patient_id",
            "episode_id",
            "instrument_version",
            "answers",
            "score_total",
            "band",
            "caseness",
            "completed_at",
            "client_id",
        )
    )


# System reads for safety's submission hooks: no reader, they run inside the submission's own
# transaction and only compare scores of the patient whose submission triggered them.


def _scored_in_episode(assessment: Assessment) -> QuerySet[Assessment]:
    """Scored administrations of this instrument in this episode (incomplete ones have no total)."""
    return Assessment.objects.filter(
        service_id=assessment.service_id,
        patient_id=assessment.patient_id,
        episode_id=assessment.episode_id,
        instrument_id=assessment.instrument_id,
    ).exclude(score_total=None)


def episode_baseline_for_system(assessment: Assessment) -> Assessment | None:
    """System read: the episode's first scored administration of this instrument, up to this
    submission and other than it (the baseline a deterioration is measured from)."""
    return (
        _scored_in_episode(assessment)
        .filter(completed_at__lte=assessment.completed_at)
        .exclude(id=assessment.id)
        .order_by("completed_at", "id")
        .first()
    )


def improved_in_episode_for_system(
    assessment: Assessment, *, since: datetime, below: float
) -> bool:
    """System read: whether a scored administration of this instrument in this episode, after
    `since` and before this submission, had a total below `below`."""
    return (
        _scored_in_episode(assessment)
        .filter(
            completed_at__gt=since,
            completed_at__lt=assessment.completed_at,
            score_total__lt=below,
        )
        .exists()
    )


def previous_total_for_system(assessment: Assessment) -> float | None:
    """System read: the patient's last score on this instrument before this submission (any
    episode), or None."""
    return (
        Assessment.objects.filter(
            service_id=assessment.service_id,
            patient_id=assessment.patient_id,
            instrument_id=assessment.instrument_id,
            completed_at__lt=assessment.completed_at,
        )
        .exclude(id=assessment.id)
        .exclude(score_total=None)  # an incomplete response has no score to compare with
        .order_by("-completed_at")
        .values_list("score_total", flat=True)
        .first()
    )
