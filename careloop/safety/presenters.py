"""How an alert reads to a clinician: one line that says why it was raised, never "None" for an
answer that was not given (issue #18 item 6, HZ-022), and what follow-up was offered after it."""

from __future__ import annotations

import re
from collections.abc import Callable

from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.safety.models import Alert
from careloop.safety.types import AlertSource

NOT_ANSWERED = "not answered"
_SHORT_NAME = re.compile(r"\(([^()]+)\)$")


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
            f"{_short_name(evidence.get('instrument'))}: total rose "
            f"{evidence.get('previous_total')} → "
            f"{evidence.get('total')} (criterion ≥ {evidence.get('criterion')}; "
            "reliable-change details UNVERIFIED)"
        )
    if alert.source == AlertSource.TEXT:
        spans = evidence.get("spans") or evidence.get("evidence") or []
        words = ", ".join(f"“{span}”" for span in _span_texts(spans)[:3])
        where = _text_source(evidence.get("source"))
        return f"Crisis language ({evidence.get('level')}) in {where}" + (
            f": {words}" if words else ""
        )
    if alert.source == AlertSource.CLINICIAN:
        return f"Raised by {evidence.get('raised_by')}: {evidence.get('reason')}"
    answer = evidence.get("answer")
    answered = NOT_ANSWERED if answer is None else f"answer {answer}"
    return _risk_answer(evidence) or (
        f"{_short_name(evidence.get('instrument'))}: {evidence.get('flag')} "
        f"(item {evidence.get('item')}, {answered})"
    )


_TEXT_KINDS = {
    "message": "a message",
    "journal": "a journal entry",
    "checkin": "a mood check-in note",
}


def _text_source(source: object) -> str:
    """ "a message" for "message:<uuid>": the kind of text, not its internal reference."""
    kind = str(source or "").partition(":")[0]
    return _TEXT_KINDS.get(kind, str(source))


def _short_name(instrument: object) -> str:
    """ "PHQ-9" for "phq9@1.0.0"; the stored code itself only when the library no longer has it."""
    try:
        title = get_instrument(str(instrument).partition("@")[0]).title
    except UnknownInstrument:
        return str(instrument)
    short = _SHORT_NAME.search(title)
    return short.group(1) if short else title


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
    if answer is None:  # the risk question was left blank: say so, never "answered None"
        return f'{definition.title}, question {number} ("{item.text}"): {NOT_ANSWERED}'
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


# --- Follow-up offered after the alert's risk answer (HZ-021) -----------------------------------

FollowUpLines = Callable[[Alert], list[str]]
_follow_up_readers: dict[str, FollowUpLines] = {}


def read_follow_ups_with(name: str, reader: FollowUpLines) -> None:
    """Monitoring (which offers and records the follow-up questionnaire) registers its reader
    from AppConfig.ready(), so the alert page shows it without safety importing monitoring."""
    _follow_up_readers[name] = reader


def follow_up_lines(alert: Alert) -> list[str]:
    """'C-SSRS screener offered 10:02, completed 10:05: risk level low', or 'offered 10:02, not
    yet answered'; empty when nothing was offered after this alert's answer."""
    return [line for reader in _follow_up_readers.values() for line in reader(alert)]
