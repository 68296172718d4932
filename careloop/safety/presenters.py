"""How an alert reads to a clinician: one line that says why it was raised, never "None" for an
answer that was not given (issue #18 item 6, HZ-022), and what follow-up was offered after it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import dateformat
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.safety.models import Alert
from careloop.safety.selectors import person_name
from careloop.safety.types import (
    SEVERITY_CHOICES,
    AlertSource,
    AlertStatus,
    DeliveryState,
    TierTarget,
)

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
        level = _TEXT_LEVELS.get(str(evidence.get("level")), str(evidence.get("level")))
        return f"Crisis language ({level}) in {where}" + (f": {words}" if words else "")
    if alert.source == AlertSource.CLINICIAN:
        return f"Raised by {evidence.get('raised_by')}: {evidence.get('reason')}"
    answer = evidence.get("answer")
    answered = NOT_ANSWERED if answer is None else f"answer {answer}"
    return _risk_answer(evidence) or (
        f"{_short_name(evidence.get('instrument'))}: {evidence.get('flag')} "
        f"(item {evidence.get('item')}, {answered})"
    )


_TEXT_KINDS = {
    "message": "a message from the patient",
    "journal": "a journal entry the patient shared",
    "checkin": "a mood check-in note",
}
_TEXT_LEVELS = {"high": "high concern", "moderate": "moderate concern", "low": "low concern"}


def _text_source(source: object) -> str:
    """ "a message from the patient" for "message:<uuid>": the kind of text, never its reference."""
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


# --- Plain words for the clinician's alert pages (issue #13) ------------------------------------

_HEADLINES = {
    AlertSource.INSTRUMENT_ITEM: _("Risk answer in a questionnaire"),
    AlertSource.DETERIORATION: _("Questionnaire scores getting worse"),
    AlertSource.CLINICIAN: _("Raised by a clinician"),
}
_TEXT_HEADLINES = {
    "message": _("Message from the patient"),
    "journal": _("Journal entry the patient shared"),
    "checkin": _("Mood check-in note"),
}
_TARGETS = {
    TierTarget.TEAM_CLINICIANS: _("the patient's clinicians"),
    TierTarget.ON_CALL: _("whoever is on call for the team"),
    TierTarget.SERVICE_LEAD: _("the service lead"),
}
_DELIVERY_STATES = {
    DeliveryState.PENDING: _("Waiting to send"),
    DeliveryState.IN_FLIGHT: _("Sending"),
    DeliveryState.DELIVERED: _("Delivered"),
    DeliveryState.FAILED: _("Could not be delivered"),
    DeliveryState.CANCELLED: _("Not sent: already acknowledged"),
}
_STATUSES = {
    AlertStatus.RAISED: _("New: the team is being told"),
    AlertStatus.NOTIFIED: _("Waiting for someone to take it on"),
    AlertStatus.ACKNOWLEDGED: _("Taken on: record what was done"),
    AlertStatus.ACTIONED: _("Action recorded: ready to close"),
    AlertStatus.CLOSED: _("Closed"),
}


def headline_of(alert: Alert) -> str:
    """What kind of thing raised the alert, in a few words ("Message from the patient")."""
    if alert.source == AlertSource.TEXT:
        kind = str((alert.evidence or {}).get("source") or "").partition(":")[0]
        return str(_TEXT_HEADLINES.get(kind, _("Crisis language in the patient's words")))
    return str(_HEADLINES.get(AlertSource(alert.source), alert.get_source_display()))


def target_label(target: str) -> str:
    """Who a tier tells, in words ("whoever is on call for the team"); "" is the fallback."""
    if not target:
        return gettext("the team's supervisors (last resort)")
    try:
        return str(_TARGETS[TierTarget(target)])
    except ValueError:
        return target


def delivery_state_label(state: str) -> str:
    try:
        return str(_DELIVERY_STATES[DeliveryState(state)])
    except ValueError:
        return state


def status_label(status: str) -> str:
    try:
        return str(_STATUSES[AlertStatus(status)])
    except ValueError:
        return status


def severity_label(severity: str) -> str:
    return dict(SEVERITY_CHOICES).get(severity, severity)


def duration_words(seconds: float) -> str:
    """ "less than a minute", "12 min", "2 h 5 min", "3 days 4 h" (the JS clock says the same)."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return gettext("less than a minute")
    if minutes < 60:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return gettext("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return ngettext("%(d)d day %(h)d h", "%(d)d days %(h)d h", days) % {"d": days, "h": hours}


@dataclass(frozen=True)
class FlowStep:
    """One step of taking an alert through to closed, as the alert page shows it."""

    key: str  # "acknowledge", "action", "close": the form the page shows for the current step
    label: str
    state: str  # "done", "current" or "upcoming"
    summary: str  # who did it and when, once done


def _when(moment: datetime | None) -> str:
    return dateformat.format(localtime(moment), "j M H:i") if moment else ""


def flow_of(alert: Alert) -> list[FlowStep]:
    """Acknowledge -> record what was done and the outcome -> close, with the current step."""
    steps = [
        (
            "acknowledge",
            gettext("Acknowledge: take it on (stops the escalation)"),
            alert.acknowledged_at,
            gettext("by %(who)s at %(when)s")
            % {"who": person_name(alert.acknowledged_by), "when": _when(alert.acknowledged_at)},
        ),
        (
            "action",
            gettext("Record what was done and the outcome"),
            alert.actioned_at,
            f"{alert.get_outcome_display()}: "
            + gettext("by %(who)s at %(when)s")
            % {"who": person_name(alert.actioned_by), "when": _when(alert.actioned_at)},
        ),
        (
            "close",
            gettext("Close the alert"),
            alert.closed_at,
            gettext("by %(who)s at %(when)s")
            % {"who": person_name(alert.closed_by), "when": _when(alert.closed_at)},
        ),
    ]
    flow, current_seen = [], False
    for key, label, done_at, summary in steps:
        if done_at is not None:
            flow.append(FlowStep(key, label, "done", summary))
        elif not current_seen:
            current_seen = True
            flow.append(FlowStep(key, label, "current", ""))
        else:
            flow.append(FlowStep(key, label, "upcoming", ""))
    return flow
