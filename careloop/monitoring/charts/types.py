"""The plain values a chart is drawn from (no Django, no database rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SeverityBand:
    """Scores from `low` (inclusive) up to `high` (inclusive, whole-number scales) share a label."""

    low: float
    high: float
    label: str
    unverified: bool = False


@dataclass(frozen=True)
class Threshold:
    """A horizontal line at `value`, e.g. caseness: "10 or more"."""

    value: float
    label: str
    unverified: bool = False


@dataclass(frozen=True)
class ScorePoint:
    """One administration's total on the patient's local day `on`."""

    on: date
    score: float
    band: str = ""  # the severity label of this score, for the hover text and table
    prorated: bool = False
    shown_on: str = ""  # the day as the reader's locale writes it; ISO date when empty


@dataclass(frozen=True)
class Marker:
    """Something that happened on a day and may explain the curve: an alert, a change of plan,
    a stepped-care step. `kind` picks the symbol (`MARKER_STYLES`); `label` is what it says."""

    on: date
    kind: str
    label: str
    shown_on: str = ""


@dataclass(frozen=True)
class ExpectedWeek:
    """The expected-recovery band at one week since the baseline: either the service's
    percentiles (p10–p90) or, without enough history, a published alert threshold."""

    week: int
    p10: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    alert_at_or_above: float | None = None

    @property
    def is_percentile_band(self) -> bool:
        return None not in (self.p10, self.p25, self.p50, self.p75, self.p90)


@dataclass(frozen=True)
class ExpectedRecovery:
    """Expected-recovery bands counted in weeks from `baseline_on`; `label` names their basis
    (service cells, pooled, or the published reference) and `unverified` says when it is so."""

    baseline_on: date
    weeks: tuple[ExpectedWeek, ...]
    label: str
    unverified: bool = False


@dataclass(frozen=True)
class ReliableChangeBand:
    """Baseline ± the reliable-change criterion in points: inside it, change is not reliable."""

    baseline: float
    points: float
    label: str
    unverified: bool = False

    @property
    def low(self) -> float:
        return self.baseline - self.points

    @property
    def high(self) -> float:
        return self.baseline + self.points


@dataclass(frozen=True)
class ChartWords:
    """The words a chart draws, translated by the caller."""

    x_axis: str = "Weeks in treatment"
    y_axis: str = "Score"
    week: str = "Week"
    unverified: str = "UNVERIFIED"
    marker_titles: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TrajectoryInput:
    """Everything one measure's trajectory chart shows. Weeks are counted from `origin` (the
    first day in treatment), so dated points and markers land on the same axis."""

    chart_id: str
    title: str
    description: str
    origin: date
    min_score: float
    max_score: float
    points: tuple[ScorePoint, ...]
    bands: tuple[SeverityBand, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    reliable_change: ReliableChangeBand | None = None
    expected: ExpectedRecovery | None = None
    markers: tuple[Marker, ...] = ()
    words: ChartWords = field(default_factory=ChartWords)


@dataclass(frozen=True)
class HeatmapItem:
    """One row: an item's number and short label; `risk` rows are outlined (e.g. PHQ-9 item 9)."""

    number: str
    label: str
    risk: bool = False


@dataclass(frozen=True)
class HeatmapColumn:
    """One administration: its day and item scores in item order (None = not answered)."""

    on: date
    scores: tuple[int | None, ...]
    shown_on: str = ""  # e.g. "12 Jun": drawn on two lines, split at the first space


@dataclass(frozen=True)
class HeatmapInput:
    chart_id: str
    title: str
    description: str
    items: tuple[HeatmapItem, ...]
    columns: tuple[HeatmapColumn, ...]
    max_item_score: int
    not_answered: str = "not answered"
    risk_note: str = "risk item"
