"""Imported results are screened (rule `imported_result_review`): a recent imported result that
is in the severe band, or a PHQ-9 total whose item 9 (self-harm) was never seen, goes to the
clinician review queue as "risk not assessed".

Why a review and not an alert: the result describes another system's encounter (the risk was, or
was not, handled there), and for a bare total no item-level rule can run at all. A person must
look; nobody is paged. "Recent" is the imported-history window the submission hooks already use
(`assessments.hooks.IMPORTED_RESULT_LIVE_WINDOW`, 14 days: the PHQ-9 and GAD-7 recall period);
older history never reaches this rule. The severe bands are the scorers' own published bands
(clinical_spec.md §1 PHQ-9 20–27 "Severe", Kroenke 2001; §4 GAD-7 15–21 "severe", Kroenke 2007).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from careloop.instruments.scoring import gad7, phq9
from careloop.safety.rules.registry import IMPORTED_RESULT_REVIEW

SEVERE_FROM: dict[str, int] = dict(IMPORTED_RESULT_REVIEW.parameters["severe_from"])
RISK_ITEM: dict[str, int] = dict(IMPORTED_RESULT_REVIEW.parameters["risk_item"])
_LABELS = {"phq9": phq9.LABEL, "gad7": gad7.LABEL}


@dataclass(frozen=True)
class ImportedReview:
    """Why an imported result needs a clinician's look, in plain language, and the facts."""

    reason: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


def _ago(days: int) -> str:
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


def review_for_imported_result(
    *,
    instrument_id: str,
    instrument_version: str,
    total: float | None,
    items_available: bool,
    risk_item_answered: bool,
    days_before_import: int,
) -> ImportedReview | None:
    """The review a recent imported result needs, or None.

    `items_available` is False for a bare total; `risk_item_answered` says whether the
    instrument's risk item has an answer (only read when items are available).
    """
    severe_from = SEVERE_FROM.get(instrument_id)
    severe = severe_from is not None and total is not None and total >= severe_from
    risk_item = RISK_ITEM.get(instrument_id)
    risk_unknown = risk_item is not None and (not items_available or not risk_item_answered)
    if not severe and not risk_unknown:
        return None
    label = _LABELS.get(instrument_id, instrument_id)
    shown_total = "no total" if total is None else f"total {total:g}"
    reasons = [
        f"{label} {shown_total}{' (severe)' if severe else ''} imported from another system, "
        f"completed {_ago(days_before_import)}."
    ]
    if risk_unknown:
        reasons.append(
            f"The self-harm question ({label} item {risk_item}) was not seen: "
            "risk was not assessed. Ask the patient about it."
        )
    elif severe:
        reasons.append("Check how the patient is now.")
    return ImportedReview(
        reason=" ".join(reasons),
        evidence={
            "rule": f"{IMPORTED_RESULT_REVIEW.rule_id}@{IMPORTED_RESULT_REVIEW.version}",
            "instrument": instrument_version,
            "total": total,
            "severe": severe,
            "severe_from": severe_from,
            "risk_item": risk_item,
            "risk_item_unknown": risk_unknown,
            "items_available": items_available,
            "days_before_import": days_before_import,
        },
    )
