"""How an alert reads to a clinician: one line that says why it was raised."""

from __future__ import annotations

from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.safety.models import Alert, AlertSource


def reason_of(alert: Alert) -> str:
    """A one-line, human reason built from the evidence (what answer, what rise, what words)."""
    reason = _reason(alert, alert.evidence or {})
    if (alert.evidence or {}).get("imported_result"):
        completed = str(alert.evidence.get("completed_at", ""))[:10]
        return f"{reason} (imported result from another system, completed {completed})"
    return reason


def _reason(alert: Alert, evidence: dict[str, object]) -> str:
    if alert.source == AlertSource.DETERIORATION:
        return (
            f"{evidence.get('instrument')}: total rose {evidence.get('previous_total')} → "
            f"{evidence.get('total')} (criterion ≥ {evidence.get('criterion')}; "
            "reliable-change details UNVERIFIED)"
        )
    if alert.source == AlertSource.TEXT:
        spans = evidence.get("spans") or evidence.get("evidence") or []
        words = ", ".join(f"“{span}”" for span in _span_texts(spans)[:3])
        return f"Crisis language ({evidence.get('level')}) in {evidence.get('source')}" + (
            f": {words}" if words else ""
        )
    if alert.source == AlertSource.CLINICIAN:
        return f"Raised by {evidence.get('raised_by')}: {evidence.get('reason')}"
    return _risk_answer(evidence) or (
        f"{evidence.get('instrument')}: {evidence.get('flag')} "
        f"(item {evidence.get('item')}, answer {evidence.get('answer')})"
    )


def _risk_answer(evidence: dict[str, object]) -> str | None:
    """'PHQ-9, question 9 ("Thoughts that you would…"): answered "Several days"', or None when
    the instrument or the item is unknown (then the coded line above is shown, never nothing)."""
    instrument_id = str(evidence.get("instrument", "")).partition("@")[0]
    try:
        definition = get_instrument(instrument_id)
        number = int(str(evidence.get("item")))
        item = definition.items[number - 1]
    except (UnknownInstrument, ValueError, IndexError):
        return None
    answer = evidence.get("answer")
    option = next((o for o in item.options if o.value == answer), None)
    answered = f'"{option.display}"' if option is not None else str(answer)
    return f'{definition.title}, question {number} ("{item.text}"): answered {answered}'


def _span_texts(spans: object) -> list[str]:
    if not isinstance(spans, list):
        return []
    texts = []
    for span in spans:
        text = span.get("text") if isinstance(span, dict) else span
        if isinstance(text, str) and text:
            texts.append(text)
    return texts
