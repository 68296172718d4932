"""Scored PHQ-9/GAD-7 totals by episode, placed on the patient's local day."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from careloop.assessments.selectors import episode_score_rows_for_system
from careloop.care.selectors import ended_episode_pages_for_system
from careloop.monitoring.outcomes.nhs_tt import DatedScore

OUTCOME_INSTRUMENTS = ("phq9", "gad7")
EPISODE_PAGE = 2_000  # ended episodes per query (~30k score rows at weekly measurement)

# (episode id, recorded sessions, patient time zone) of one ended episode
EpisodePageRow = tuple[uuid.UUID, int | None, str]


@dataclass(frozen=True)
class EpisodeScores:
    """One episode's PHQ-9 and GAD-7 totals on the patient's local days, oldest first."""

    episode_id: uuid.UUID
    recorded_sessions: int | None
    phq9: tuple[DatedScore, ...]
    gad7: tuple[DatedScore, ...]


@cache
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # A malformed stored zone must not break a report; UTC days differ only near midnight.
        return ZoneInfo("UTC")


def local_day(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(zone(time_zone)).date()


def split_by_instrument(
    rows: Iterable[tuple[str, float | None, datetime]], time_zone: str
) -> tuple[tuple[DatedScore, ...], tuple[DatedScore, ...]]:
    by_instrument: dict[str, list[DatedScore]] = {name: [] for name in OUTCOME_INSTRUMENTS}
    for instrument_id, total, completed_at in rows:
        if total is None:  # queries exclude these already; an unscored row is never a zero
            continue
        by_instrument[instrument_id].append(DatedScore(local_day(completed_at, time_zone), total))
    return tuple(by_instrument["phq9"]), tuple(by_instrument["gad7"])


def ended_episode_pages(
    service_id: uuid.UUID, ended_from: date | None, ended_to: date | None
) -> Iterator[list[EpisodePageRow]]:
    """(id, recorded sessions, patient time zone) of ended episodes, a page at a time, by id."""
    return ended_episode_pages_for_system(
        service_id, ended_from=ended_from, ended_to=ended_to, page_size=EPISODE_PAGE
    )


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
    for page in ended_episode_pages(service_id, ended_from, ended_to):
        yield from page_scores(service_id, page, instruments)


def page_scores(
    service_id: uuid.UUID, page: list[EpisodePageRow], instruments: tuple[str, ...]
) -> Iterator[EpisodeScores]:
    about = {episode_id: (sessions, time_zone) for episode_id, sessions, time_zone in page}
    rows = episode_score_rows_for_system(service_id, list(about), instruments)
    for episode_id, group in groupby(rows, key=itemgetter(0)):
        sessions, time_zone = about[episode_id]
        phq9, gad7 = split_by_instrument(
            ((row[1], row[2], _instant(row[3])) for row in group), time_zone
        )
        yield EpisodeScores(episode_id, sessions, phq9, gad7)


def _instant(text: str) -> datetime:
    """Parse a timestamp cast to text: PostgreSQL gives an offset, SQLite stores naive UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
