"""Pure, exact scoring for every instrument in the library: no Django, no I/O, fully typed.

Public API::

    score(instrument_id, answers, *, sex=None, **context) -> ScoreResult

`answers` are response values in item order (see `types` for "response value" versus "item
score"); None marks an unanswered item. PHQ-9 and GAD-7 accept their unscored difficulty item
as an extra final answer or not at all. `sex` is used only by AUDIT-C and ignored elsewhere.
`context` carries instrument options; today only PCL-5 has one (`cutoff`, 31–33).

One module per instrument holds its item scales, thresholds (each naming its source in
/work/shared/reference/clinical_spec.md) and its `score` function; `SCORERS` maps ids to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from careloop.instruments.scoring import (
    audit,
    audit_c,
    core10,
    cssrs_screener,
    epds,
    gad2,
    gad7,
    k10,
    pcl5,
    phq2,
    phq8,
    phq9,
    pss10,
    who5,
    wsas,
)
from careloop.instruments.scoring.errors import (
    IncompleteAnswers,
    InvalidAnswers,
    InvalidContext,
    ScoringError,
    UnknownInstrument,
)
from careloop.instruments.scoring.types import (
    Answers,
    InstrumentScorer,
    ItemScale,
    RiskFlag,
    ScoreResult,
    ScoringContext,
    Severity,
    Sex,
)

__all__ = [
    "SCORERS",
    "Answers",
    "IncompleteAnswers",
    "InstrumentScorer",
    "InvalidAnswers",
    "InvalidContext",
    "ItemScale",
    "RiskFlag",
    "ScoreResult",
    "ScoringContext",
    "ScoringError",
    "Severity",
    "Sex",
    "UnknownInstrument",
    "get_scorer",
    "instrument_ids",
    "score",
]

SCORERS: Mapping[str, InstrumentScorer] = MappingProxyType(
    {
        module.SCORER.instrument_id: module.SCORER
        for module in (
            phq9,
            phq8,
            phq2,
            gad7,
            gad2,
            who5,
            pcl5,
            audit_c,
            audit,
            k10,
            core10,
            wsas,
            cssrs_screener,
            pss10,
            epds,
        )
    }
)


def instrument_ids() -> tuple[str, ...]:
    return tuple(SCORERS)


def get_scorer(instrument_id: str) -> InstrumentScorer:
    try:
        return SCORERS[instrument_id]
    except (KeyError, TypeError):
        raise UnknownInstrument(str(instrument_id), instrument_ids()) from None


def score(
    instrument_id: str, answers: Answers, *, sex: Sex | str | None = None, **context: object
) -> ScoreResult:
    """Score one administration of `instrument_id` from its response values."""
    scorer = get_scorer(instrument_id)
    unknown = sorted(set(context) - scorer.context_keys)
    if unknown:
        accepted = ", ".join(sorted(scorer.context_keys)) or "none"
        raise InvalidContext(
            f"{scorer.label} does not accept option(s) {', '.join(unknown)}; accepted: {accepted}"
        )
    return scorer.score(answers, ScoringContext(sex=_sex(sex), options=dict(context)))


def _sex(sex: Sex | str | None) -> Sex | None:
    if sex is None or isinstance(sex, Sex):
        return sex
    try:
        return Sex(sex)
    except ValueError:
        raise InvalidContext(f"sex must be 'female' or 'male', not {sex!r}") from None
