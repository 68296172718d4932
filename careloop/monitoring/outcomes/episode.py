"""Everything the outcome engine says about one treatment episode, from its PHQ-9 and GAD-7.

Two different baselines are used on purpose, because the sources differ:

* NHS Talking Therapies outcomes compare the first and last PAIRED scores (§15, `nhs_tt`);
* change from baseline, CoCM status and the expected band follow each instrument on its own:
  baseline = the episode's first score on that instrument, latest = its most recent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from careloop.monitoring.outcomes.bands import (
    BandModel,
    BandStatus,
    ExpectedBand,
    expected_band,
    week_since_baseline,
)
from careloop.monitoring.outcomes.change import ReliableChange, nhs_tt_change
from careloop.monitoring.outcomes.cocm import CocmStatus, cocm_status
from careloop.monitoring.outcomes.nhs_tt import DatedScore, NhsTtOutcome, nhs_tt_outcome


@dataclass(frozen=True)
class InstrumentChange:
    """Baseline to latest on one instrument within an episode, judged by the NHS TT criterion."""

    instrument_id: str
    baseline_on: date
    latest_on: date
    measurements: int
    change: ReliableChange


@dataclass(frozen=True)
class BandPosition:
    """Where the latest PHQ-9 of an episode lies against the expected-recovery band."""

    score: float
    week: int
    band: ExpectedBand
    status: BandStatus


@dataclass(frozen=True)
class EpisodeSummary:
    nhs_tt: NhsTtOutcome
    phq9: InstrumentChange | None
    gad7: InstrumentChange | None
    cocm: CocmStatus | None


def summarise_episode(
    phq9: Sequence[DatedScore],
    gad7: Sequence[DatedScore],
    *,
    is_ended: bool,
    recorded_sessions: int | None,
    as_of: date,
) -> EpisodeSummary:
    """NHS TT outcome, per-instrument change and CoCM status of one episode.

    `phq9` and `gad7` are the episode's totals in time order; `as_of` is the day the CoCM review
    clock stops (today for an open episode, the end day for a closed one).
    """
    phq9_change = instrument_change("phq9", phq9)
    cocm = None
    if phq9_change is not None:
        cocm = cocm_status(
            phq9_change.change.baseline,
            phq9_change.change.latest,
            baseline_on=phq9_change.baseline_on,
            as_of=as_of,
        )
    return EpisodeSummary(
        nhs_tt=nhs_tt_outcome(phq9, gad7, is_ended=is_ended, recorded_sessions=recorded_sessions),
        phq9=phq9_change,
        gad7=instrument_change("gad7", gad7),
        cocm=cocm,
    )


def instrument_change(instrument_id: str, scores: Sequence[DatedScore]) -> InstrumentChange | None:
    """First to last score of one instrument; None without any score."""
    if not scores:
        return None
    first, last = scores[0], scores[-1]
    return InstrumentChange(
        instrument_id=instrument_id,
        baseline_on=first.taken_on,
        latest_on=last.taken_on,
        measurements=len(scores),
        change=nhs_tt_change(instrument_id, first.total, last.total),
    )


def latest_band_position(model: BandModel, phq9: Sequence[DatedScore]) -> BandPosition | None:
    """The latest PHQ-9 of an episode against its expected band; None without a PHQ-9."""
    if not phq9:
        return None
    first, last = phq9[0], phq9[-1]
    week = week_since_baseline((last.taken_on - first.taken_on).days)
    band = expected_band(model, first.total, week)
    return BandPosition(score=last.total, week=week, band=band, status=band.status_of(last.total))
