"""Database reads that feed the outcome engine (`careloop.monitoring.outcomes`, pure).

* `episode_outcomes_for(patient)`: one visible patient's episodes, each summarised (NHS TT,
  change, CoCM), and the latest PHQ-9 against the service's expected-recovery band.
* `closed_episode_scores(service_id)`: a service's ended episodes with their PHQ-9/GAD-7
  totals, a page of episodes per query, for band fitting and the NHS TT service report; memory
  stays flat however many patients the service has.
* `ended_episode_outcome_inputs(service_id)`: the same episodes reduced in the database to what
  the NHS TT engine reads (first and last paired score, number of measurement days), for the
  service report: a 100k-patient service sends ~100k rows to Python instead of ~1.3M.
* `band_model_for_service(service_id)`: the fitted bands, cached for the day;
  `refresh_band_model(service_id)` refits them ahead of time (for a nightly job: a first fit for
  a 100k-patient service takes tens of seconds, too long to happen inside a request).

Scores are placed on the patient's local calendar day (their time zone), because NHS TT pairs a
PHQ-9 and a GAD-7 taken at the same session. Assessments with no episode are not outcomes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.cache import cache as django_cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast

from careloop.assessments.models import Assessment
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.selectors import stream_visible
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.monitoring.outcomes.bands import BandModel, EpisodeTrajectory, fit_bands
from careloop.monitoring.outcomes.episode import (
    BandPosition,
    EpisodeSummary,
    latest_band_position,
    summarise_episode,
)
from careloop.monitoring.outcomes.nhs_tt import (
    DatedScore,
    NhsTtOutcome,
    PairedScore,
    SessionsBasis,
    nhs_tt_outcome,
    pair_scores,
)
from careloop.privacy.policy import DataStream

OUTCOME_INSTRUMENTS = ("phq9", "gad7")
ENDED = (EpisodeEnding.COMPLETED, EpisodeEnding.DROPPED_OUT)
BAND_CACHE_SECONDS = 6 * 60 * 60  # bands move slowly; refit at most every 6 hours (and daily)
EPISODE_PAGE = 2_000  # ended episodes per query (~30k score rows at weekly measurement)


@dataclass(frozen=True)
class EpisodeScores:
    """One episode's PHQ-9 and GAD-7 totals on the patient's local days, oldest first."""

    episode_id: uuid.UUID
    recorded_sessions: int | None
    phq9: tuple[DatedScore, ...]
    gad7: tuple[DatedScore, ...]


@dataclass(frozen=True)
class EpisodeOutcomes:
    episode: TreatmentEpisode
    summary: EpisodeSummary
    band_position: BandPosition | None  # the patient's most recent episode only


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # A malformed stored zone must not break a report; UTC days differ only near midnight.
        return ZoneInfo("UTC")


def local_day(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(_zone(time_zone)).date()


def _split(
    rows: Iterable[tuple[str, float | None, datetime]], time_zone: str
) -> tuple[tuple[DatedScore, ...], tuple[DatedScore, ...]]:
    by_instrument: dict[str, list[DatedScore]] = {name: [] for name in OUTCOME_INSTRUMENTS}
    for instrument_id, total, completed_at in rows:
        if total is None:  # queries exclude these already; an unscored row is never a zero
            continue
        by_instrument[instrument_id].append(DatedScore(local_day(completed_at, time_zone), total))
    return tuple(by_instrument["phq9"]), tuple(by_instrument["gad7"])


def _scores_by_episode(
    patient: Patient,
) -> dict[uuid.UUID, tuple[tuple[DatedScore, ...], tuple[DatedScore, ...]]]:
    if not stream_visible(patient, DataStream.QUESTIONNAIRES):
        return {}  # scores are questionnaire data: hidden when the patient withdrew them
    rows = (
        Assessment.objects.filter(
            service_id=patient.service_id,
            patient=patient,
            instrument_id__in=OUTCOME_INSTRUMENTS,
            episode__isnull=False,
            score_total__isnull=False,
        )
        .order_by("episode_id", "completed_at")
        .values_list("episode_id", "instrument_id", "score_total", "completed_at")
    )
    return {
        episode_id: _split((row[1:] for row in group), patient.time_zone)
        for episode_id, group in groupby(rows, key=itemgetter(0))
    }


def episode_outcomes_for(patient: Patient, *, today: date | None = None) -> list[EpisodeOutcomes]:
    """A visible patient's episodes, oldest first, with their outcomes. Two queries, plus the
    band fit when the service's bands are not cached. `patient` must come from care.selectors."""
    today = today or local_day(clock.now(), patient.time_zone)
    episodes = list(
        TreatmentEpisode.objects.filter(service_id=patient.service_id, patient=patient).order_by(
            "started_on", "id"
        )
    )
    scores = _scores_by_episode(patient)
    outcomes = []
    for position, episode in enumerate(episodes):
        phq9, gad7 = scores.get(episode.id, ((), ()))
        is_ended = episode.ending != EpisodeEnding.ONGOING
        summary = summarise_episode(
            phq9,
            gad7,
            is_ended=is_ended,
            recorded_sessions=episode.treatment_sessions_attended,
            as_of=episode.ended_on if is_ended and episode.ended_on else today,
        )
        is_latest = position == len(episodes) - 1
        band = None
        if is_latest and phq9:
            band = latest_band_position(band_model_for_service(patient.service_id), phq9)
        outcomes.append(EpisodeOutcomes(episode=episode, summary=summary, band_position=band))
    return outcomes


def _ended_filter(ended_from: date | None, ended_to: date | None, prefix: str = "") -> Q:
    condition = Q(**{f"{prefix}ending__in": ENDED})
    if ended_from is not None:
        condition &= Q(**{f"{prefix}ended_on__gte": ended_from})
    if ended_to is not None:
        condition &= Q(**{f"{prefix}ended_on__lte": ended_to})
    return condition


def _ended_episode_pages(
    service_id: uuid.UUID, ended_from: date | None, ended_to: date | None
) -> Iterator[list[tuple[uuid.UUID, int | None, str]]]:
    """(id, recorded sessions, patient time zone) of ended episodes, a page at a time, by id."""
    episodes = (
        TreatmentEpisode.objects.filter(_ended_filter(ended_from, ended_to), service_id=service_id)
        .order_by("id")
        .values_list("id", "treatment_sessions_attended", "patient__time_zone")
    )
    after: uuid.UUID | None = None
    while True:
        page = list((episodes if after is None else episodes.filter(id__gt=after))[:EPISODE_PAGE])
        if not page:
            return
        yield page
        after = page[-1][0]


def closed_episode_scores(
    service_id: uuid.UUID,
    *,
    ended_from: date | None = None,
    ended_to: date | None = None,
    instruments: tuple[str, ...] = OUTCOME_INSTRUMENTS,
) -> Iterator[EpisodeScores]:
    """Every ended episode of a service that has at least one PHQ-9/GAD-7, one at a time.

    1. Page through the ended episodes by id (keyset pagination, EPISODE_PAGE at a time).
    2. For each page, one query reads their scores through the assessment→episode index,
       ordered by episode then time; rows are grouped by episode and yielded.
    Memory holds one page; the number of queries is 2 × pages, never one per episode. (One big
    ordered query through a server-side cursor was slower: PostgreSQL runs cursors without
    parallel workers and sorts the whole service on disk.)
    """
    for page in _ended_episode_pages(service_id, ended_from, ended_to):
        yield from _page_scores(service_id, page, instruments)


def _page_scores(
    service_id: uuid.UUID,
    page: list[tuple[uuid.UUID, int | None, str]],
    instruments: tuple[str, ...],
) -> Iterator[EpisodeScores]:
    about = {episode_id: (sessions, zone) for episode_id, sessions, zone in page}
    rows = (
        Assessment.objects.filter(
            service_id=service_id,
            episode_id__in=list(about),
            instrument_id__in=instruments,
            score_total__isnull=False,
        )
        .order_by("episode_id", "completed_at")
        # The instant as text: Django's PostgreSQL timestamptz loader is pure Python (about
        # 25 µs a row, most of a 100k-patient report); the C `datetime.fromisoformat` is not.
        .annotate(completed_text=Cast("completed_at", TextField()))
        .values_list("episode_id", "instrument_id", "score_total", "completed_text")
    )
    for episode_id, group in groupby(rows, key=itemgetter(0)):
        sessions, zone = about[episode_id]
        phq9, gad7 = _split(((row[1], row[2], _instant(row[3])) for row in group), zone)
        yield EpisodeScores(episode_id, sessions, phq9, gad7)


def _instant(text: str) -> datetime:
    """Parse a timestamp cast to text: PostgreSQL gives an offset, SQLite stores naive UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class EpisodeOutcomeInputs:
    """All `nhs_tt_outcome` reads of an ended episode that has at least one PHQ-9/GAD-7."""

    episode_id: uuid.UUID
    recorded_sessions: int | None
    measurement_days: int  # distinct local days with a PHQ-9 or GAD-7 (the session estimate)
    first: PairedScore | None
    last: PairedScore | None  # None with fewer than two paired days, as the engine has it


def outcome_inputs_of(scores: EpisodeScores) -> EpisodeOutcomeInputs:
    """Reduce an episode's full series in Python (the portable path, and the reference for the
    PostgreSQL one)."""
    pairs = pair_scores(scores.phq9, scores.gad7)
    days = {score.taken_on for score in (*scores.phq9, *scores.gad7)}
    return EpisodeOutcomeInputs(
        episode_id=scores.episode_id,
        recorded_sessions=scores.recorded_sessions,
        measurement_days=len(days),
        first=pairs[0] if pairs else None,
        last=pairs[-1] if len(pairs) >= 2 else None,
    )


def ended_outcome_of(inputs: EpisodeOutcomeInputs) -> NhsTtOutcome:
    """The engine's outcome for an ended episode, fed its first and last paired score only.

    Pairing keeps the same first and last pair, and the session estimate (distinct measurement
    days after the first, `nhs_tt.estimate_sessions`) is counted beforehand and labelled.
    """
    pairs = [pair for pair in (inputs.first, inputs.last) if pair is not None]
    phq9 = tuple(DatedScore(pair.taken_on, pair.phq9) for pair in pairs)
    gad7 = tuple(DatedScore(pair.taken_on, pair.gad7) for pair in pairs)
    if inputs.recorded_sessions is not None:
        return nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=inputs.recorded_sessions)
    estimated = max(0, inputs.measurement_days - 1)
    outcome = nhs_tt_outcome(phq9, gad7, is_ended=True, recorded_sessions=estimated)
    return replace(outcome, sessions_basis=SessionsBasis.ESTIMATED)


# Per episode of a page: each instrument's last score of each local day (`pair_scores` keeps the
# later one too), the days folded into PHQ-9/GAD-7 columns, then the first and last paired day.
_OUTCOME_INPUTS_SQL = """
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


def _zones_known_to_postgres(names: set[str]) -> set[str]:
    """Which zone names PostgreSQL's own tz database knows (it may lag Python's)."""
    if not names:
        return set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_timezone_names WHERE name = ANY(%s)", [list(names)])
        return {name for (name,) in cursor.fetchall()}


def ended_episode_outcome_inputs(
    service_id: uuid.UUID, *, ended_from: date | None = None, ended_to: date | None = None
) -> Iterator[EpisodeOutcomeInputs]:
    """The episodes of `closed_episode_scores`, reduced to what the NHS TT engine reads.

    On PostgreSQL each page of episodes is reduced by one query (local days via AT TIME ZONE,
    with the zone Python would use, so a malformed stored zone is UTC in both); elsewhere, or
    for a page with a zone PostgreSQL's tz database lacks, the full series is read and reduced
    in Python. Both give the same inputs (tested).
    """
    if connection.vendor != "postgresql":
        yield from map(
            outcome_inputs_of,
            closed_episode_scores(service_id, ended_from=ended_from, ended_to=ended_to),
        )
        return
    sql = _OUTCOME_INPUTS_SQL.format(
        assessments=connection.ops.quote_name(Assessment._meta.db_table)
    )
    known: set[str] = set()
    for page in _ended_episode_pages(service_id, ended_from, ended_to):
        zones = [_zone(zone).key for _, _, zone in page]
        known |= _zones_known_to_postgres(set(zones) - known)
        if not known.issuperset(zones):
            yield from map(outcome_inputs_of, _page_scores(service_id, page, OUTCOME_INSTRUMENTS))
            continue
        sessions = {episode_id: recorded for episode_id, recorded, _ in page}
        params: dict[str, Any] = {
            "ids": [episode_id for episode_id, _, _ in page],
            "zones": zones,
            "service": service_id,
        }
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for episode_id, days, paired, day1, phq1, gad1, day2, phq2, gad2 in rows:
            yield EpisodeOutcomeInputs(
                episode_id=episode_id,
                recorded_sessions=sessions[episode_id],
                measurement_days=days,
                first=PairedScore(day1, phq1, gad1) if paired else None,
                last=PairedScore(day2, phq2, gad2) if paired >= 2 else None,
            )


def ended_episodes_without_scores(
    service_id: uuid.UUID, *, ended_from: date | None = None, ended_to: date | None = None
) -> tuple[int, int]:
    """(ended, of which finished by recorded sessions) for ended episodes with no PHQ-9/GAD-7.

    They never appear in `closed_episode_scores`; one aggregate query counts them.
    """
    has_scores = Assessment.objects.filter(
        service_id=service_id,
        episode_id=OuterRef("pk"),
        instrument_id__in=OUTCOME_INSTRUMENTS,
        score_total__isnull=False,
    )
    counts = (
        TreatmentEpisode.objects.filter(_ended_filter(ended_from, ended_to), service_id=service_id)
        .exclude(Exists(has_scores))
        .aggregate(
            ended=Count("id"),
            finished=Count("id", filter=Q(treatment_sessions_attended__gte=2)),
        )
    )
    return counts["ended"], counts["finished"]


def band_trajectories(service_id: uuid.UUID) -> Iterator[EpisodeTrajectory]:
    """The PHQ-9 series of a service's closed episodes, as the band fit takes them."""
    for scores in closed_episode_scores(service_id, instruments=("phq9",)):
        baseline = scores.phq9[0]
        yield EpisodeTrajectory(
            baseline.total,
            tuple(((s.taken_on - baseline.taken_on).days, s.total) for s in scores.phq9),
        )


def _band_cache_key(service_id: uuid.UUID) -> str:
    return f"careloop:outcome-bands:{service_id}:{clock.now().date().isoformat()}"


def refresh_band_model(service_id: uuid.UUID) -> BandModel:
    """Fit the service's bands now and cache them (aggregated counts only, no identities)."""
    model = fit_bands(band_trajectories(service_id))
    django_cache.set(_band_cache_key(service_id), model, BAND_CACHE_SECONDS)
    return model


def band_model_for_service(service_id: uuid.UUID) -> BandModel:
    """The service's expected-recovery bands: today's cached fit, else fitted now.

    The key carries the day, so bands are refitted at least daily.
    """
    model = django_cache.get(_band_cache_key(service_id))
    if isinstance(model, BandModel):
        return model
    return refresh_band_model(service_id)
