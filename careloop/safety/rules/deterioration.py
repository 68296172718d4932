"""Sharp deterioration: a total score that rose by at least the reliable-change criterion since
the previous administration of the same instrument (rule `sharp_deterioration`)."""

from __future__ import annotations

from careloop.safety.rules.registry import SHARP_DETERIORATION
from careloop.safety.rules.signal import RiskSignal

MIN_RISE: dict[str, int] = dict(SHARP_DETERIORATION.parameters["min_rise"])


def signals_from_score_change(
    instrument_id: str,
    instrument_version: str,
    previous_total: float | None,
    current_total: float | None,
) -> list[RiskSignal]:
    """One moderate signal when the rise reaches the instrument's criterion, else none.

    Instruments without a criterion in the rulebook, and administrations without a total (or no
    previous one), never fire: the rule only speaks where the clinical spec gives a number.
    """
    threshold = MIN_RISE.get(instrument_id)
    if threshold is None or previous_total is None or current_total is None:
        return []
    rise = current_total - previous_total
    if rise < threshold:
        return []
    return [
        RiskSignal(
            rule_id=SHARP_DETERIORATION.rule_id,
            rule_version=SHARP_DETERIORATION.version,
            severity=str(SHARP_DETERIORATION.parameters["severity"]),
            evidence={
                "instrument": instrument_version,
                "previous_total": previous_total,
                "total": current_total,
                "rise": rise,
                "criterion": threshold,
                "criterion_label": "NHS Talking Therapies reliable change (UNVERIFIED details)",
            },
            discriminator="rise",
        )
    ]
