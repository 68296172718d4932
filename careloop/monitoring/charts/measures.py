"""What each scored measure's chart shows, read from the pure scorers (one source of numbers):
the score range, severity bands, caseness line, reliable-change criterion and risk items.

What the clinical spec marks UNVERIFIED stays marked: the PHQ-8 and CORE-10 bands, the
non-official PSS-10 bands, the NHS Talking Therapies reliable-change criteria (secondary sources,
details UNVERIFIED; clinical_spec.md §1, §4, §15, §16).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from careloop.instruments.scoring import (
    audit,
    core10,
    epds,
    gad7,
    k10,
    phq8,
    phq9,
    pss10,
    who5,
    wsas,
)
from careloop.instruments.scoring.reliable_change import RELIABLE_CHANGE_POINTS
from careloop.monitoring.charts.types import SeverityBand

Bands = Sequence[tuple[float, str]]  # (lower bound, label), highest first, as the scorers hold


@dataclass(frozen=True)
class Cutoff:
    value: float
    label: str  # what a score at or above it means, e.g. "caseness (NHS Talking Therapies)"
    unverified: bool = False


@dataclass(frozen=True)
class MeasureScale:
    instrument_id: str
    label: str
    min_score: float
    max_score: float
    bands: tuple[SeverityBand, ...] = ()
    cutoff: Cutoff | None = None
    reliable_change_points: float | None = None
    reliable_change_unverified: bool = False
    risk_items: tuple[int, ...] = ()  # 1-based item numbers outlined on the heatmap
    higher_is_better: bool = False


def severity_bands(
    bands: Bands, max_score: float, *, unverified: bool = False
) -> tuple[SeverityBand, ...]:
    """The scorers' (lower bound, label) pairs as drawable bands, lowest first, each labelled
    with its whole-number range: ((20, "severe"), (15, …)) → "severe 20–27", …"""
    ordered = sorted(bands)
    result = []
    for position, (low, label) in enumerate(ordered):
        high = ordered[position + 1][0] if position + 1 < len(ordered) else max_score
        last = high if position + 1 == len(ordered) else high - 1
        result.append(
            SeverityBand(
                low=low,
                high=high,
                label=f"{label} {_whole(low)}–{_whole(last)}",
                unverified=unverified,
            )
        )
    return tuple(result)


def _whole(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _rc(instrument_id: str) -> float | None:
    points = RELIABLE_CHANGE_POINTS.get(instrument_id)
    return float(points) if points is not None else None


MEASURES: dict[str, MeasureScale] = {
    scale.instrument_id: scale
    for scale in (
        MeasureScale(
            "phq9",
            phq9.LABEL,
            0,
            27,
            severity_bands(phq9.BANDS, 27),
            Cutoff(phq9.CASENESS_THRESHOLD, "caseness (NHS Talking Therapies)"),
            _rc("phq9"),
            reliable_change_unverified=True,
            risk_items=(phq9.RISK_ITEM,),
        ),
        MeasureScale(
            "gad7",
            gad7.LABEL,
            0,
            21,
            severity_bands(gad7.BANDS, 21),
            Cutoff(gad7.CASENESS_THRESHOLD, "caseness (NHS Talking Therapies)"),
            _rc("gad7"),
            reliable_change_unverified=True,
        ),
        MeasureScale(
            "phq8",
            phq8.LABEL,
            0,
            24,
            severity_bands(phq8.UNVERIFIED_BANDS, 24, unverified=True),
            Cutoff(phq8.CASENESS_THRESHOLD, "current depression cut-off"),
        ),
        MeasureScale(
            "core10",
            core10.LABEL,
            0,
            40,
            severity_bands(core10.UNVERIFIED_BANDS, 40, unverified=True),
            Cutoff(core10.CASENESS_THRESHOLD, "clinical cut-off"),
            risk_items=(core10.RISK_ITEM,),
        ),
        MeasureScale(
            "epds",
            epds.LABEL,
            0,
            30,
            severity_bands(epds.BANDS, 30),
            Cutoff(epds.PROBABLE_DEPRESSION_THRESHOLD, "probable depression"),
            risk_items=(epds.RISK_ITEM,),
        ),
        MeasureScale("k10", k10.LABEL, 10, 50, severity_bands(k10.BANDS, 50)),
        MeasureScale(
            "pss10",
            pss10.LABEL,
            0,
            40,
            severity_bands(pss10.BANDS, 40, unverified=True),  # non-official bands
        ),
        MeasureScale("wsas", wsas.LABEL, 0, 40, severity_bands(wsas.BANDS, 40)),
        MeasureScale(
            "who5",
            who5.LABEL,
            0,
            25,
            cutoff=Cutoff(who5.POOR_WELLBEING_BELOW, "poor well-being below this line"),
            higher_is_better=True,
        ),
        MeasureScale(
            "audit",
            audit.LABEL,
            0,
            40,
            severity_bands(tuple((low, f"zone {name}") for low, name in audit.ZONES), 40),
        ),
    )
}

# Charts in this order first; any other scored measure follows by its label.
PREFERRED_ORDER = ("phq9", "gad7", "core10", "wsas", "phq8", "epds", "k10", "pss10", "who5")


def scale_for(instrument_id: str, label: str, max_score: float | None) -> MeasureScale:
    """The measure's scale, or a plain one (no bands) for a measure this table does not know."""
    known = MEASURES.get(instrument_id)
    if known is not None:
        return known
    return MeasureScale(instrument_id, label, 0, max_score if max_score else 1)
