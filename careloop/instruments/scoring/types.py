"""Value types shared by every scorer: results, risk flags, item scales and scoring context.

Vocabulary used throughout the scoring package:

* **response value**: what `score()` takes for one item. It is the value printed on the
  response scale (PHQ-9 "Several days" = 1, K10 "None of the time" = 1), or, for EPDS, the
  0-based position of the chosen option in the printed order. `None` means "not answered"
  (or, for WSAS item 1 only, "not applicable").
* **item score**: what the item adds to the total after reverse keying. It equals the FHIR
  `ordinalValue` of the answer option in the instrument's Questionnaire definition.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType

Answers = Sequence[int | None]
Total = int | float


class Severity(StrEnum):
    """How urgent a risk flag is, in order from least to most urgent (safety.rules.most_urgent
    relies on the order). The one severity vocabulary: safety's alerts and rules use it too, so
    it lives here, in pure code below safety. Values are stored on alerts: never change them."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Sex(StrEnum):
    """Sex used for sex-specific cut-offs (only AUDIT-C uses it)."""

    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True)
class RiskFlag:
    """A safety signal raised by one item (or by a rule over several items)."""

    code: str
    item: str  # linkId of the item in the instrument's Questionnaire ("9", "6b")
    value: int | None
    severity: Severity
    source: str

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "item": self.item,
            "value": self.value,
            "severity": self.severity,
            "source": self.source,
        }


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one administration of one instrument version.

    `total` is an int, a float when prorated, or None when the instrument has no total
    (C-SSRS). `band` and `caseness` are None when the clinical spec gives no verified rule.
    `extras` holds instrument-specific values; `extras["unverified"]`, when present, lists
    parts of the result that rest on UNVERIFIED choices.
    """

    instrument_id: str
    instrument_version: str
    total: Total | None
    band: str | None
    caseness: bool | None
    risk_flags: tuple[RiskFlag, ...] = ()
    prorated: bool = False
    proration_rule: str | None = None
    extras: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Frozen all the way down: a stored result must never change after scoring.
        object.__setattr__(self, "risk_flags", tuple(self.risk_flags))
        object.__setattr__(self, "extras", MappingProxyType(dict(self.extras)))

    @property
    def versioned_id(self) -> str:
        return f"{self.instrument_id}@{self.instrument_version}"

    def to_dict(self) -> dict[str, object]:
        """Return plain JSON-safe data (dicts, lists, str, int, float, bool, None)."""
        return {
            "instrument_id": self.instrument_id,
            "instrument_version": self.instrument_version,
            "versioned_id": self.versioned_id,
            "total": self.total,
            "band": self.band,
            "caseness": self.caseness,
            "risk_flags": [flag.to_dict() for flag in self.risk_flags],
            "prorated": self.prorated,
            "proration_rule": self.proration_rule,
            "extras": json_safe(self.extras),
        }


def json_safe(value: object) -> object:
    """Convert tuples, mappings and enums into JSON-safe equivalents; refuse anything else."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"non-finite number {value!r} is not JSON-safe")
        return value
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    raise TypeError(f"{type(value).__name__} is not JSON-safe")


@dataclass(frozen=True)
class ItemScale:
    """The response values one item accepts and how each becomes an item score.

    `reverse_from`: for a reverse-keyed item, item score = reverse_from - response value.
    `scored`: False for items that never add to a total (difficulty items, C-SSRS yes/no).
    `not_applicable_allowed`: None means "not applicable" rather than "missing" (WSAS item 1).
    """

    values: frozenset[int]
    reverse_from: int | None = None
    scored: bool = True
    not_applicable_allowed: bool = False

    def score(self, value: int) -> int:
        if value not in self.values:
            raise ValueError(f"{value} is not an allowed response value")
        return value if self.reverse_from is None else self.reverse_from - value


@dataclass(frozen=True)
class ScoringContext:
    """Everything besides the answers that a scorer may use."""

    sex: Sex | None = None
    options: Mapping[str, object] = field(default_factory=dict)


ScoreFunction = Callable[[Answers, ScoringContext], ScoreResult]


@dataclass(frozen=True)
class InstrumentScorer:
    """Registry entry: one instrument version's item scales and its scoring function.

    `items` lists every item of the Questionnaire in order, including unscored ones.
    `omittable_trailing_items`: how many unscored items at the end callers may leave out
    (PHQ-9 and GAD-7 accept answers with or without their difficulty item).
    `context_keys`: scoring options the instrument accepts besides `sex`.
    """

    instrument_id: str
    version: str
    label: str
    items: tuple[ItemScale, ...]
    score: ScoreFunction
    omittable_trailing_items: int = 0
    context_keys: frozenset[str] = frozenset()
