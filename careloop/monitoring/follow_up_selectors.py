"""Reads of follow-up offers (issue #18 item 5, HZ-021): the patient's due list and result page,
and the clinician's lines on the alert and patient pages.

An offer is due to the patient while it is unanswered and an alert raised by its trigger is not
yet closed (or no alert was raised: then nothing else closes it). Patients always come from
care.selectors; alerts from safety.selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from careloop.assessments.meaning import FollowUpLink, instrument_short_name, score_text
from careloop.care.selectors import stream_visible
from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.monitoring.models import FollowUpOffer
from careloop.monitoring.types import FollowUpState
from careloop.privacy.policy import DataStream
from careloop.safety.selectors import trigger_alert_state_annotations

if TYPE_CHECKING:
    from careloop.assessments.models import Assessment
    from careloop.care.models import Patient
    from careloop.safety.models import Alert


@dataclass(frozen=True)
class DueFollowUp:
    """A follow-up questionnaire in the patient's list of what is due."""

    instrument_id: str
    title: str
    offered_at: datetime

    @property
    def answer_path(self) -> str:
        return reverse("assessments:answer", args=[self.instrument_id])


def _title(instrument_id: str) -> str:
    try:
        return get_instrument(instrument_id).title
    except UnknownInstrument:
        return instrument_short_name(instrument_id)


def _with_alert_state(offers: QuerySet[FollowUpOffer]) -> QuerySet[FollowUpOffer]:
    """Whether the trigger raised any alert, whether one is still not closed, and when the last
    one was closed."""
    return offers.annotate(**trigger_alert_state_annotations("trigger_id"))


def _alerts_closed_at(offer: FollowUpOffer) -> datetime | None:
    """When the offer stopped being asked: every alert of its trigger closed (else None)."""
    if offer.any_alert and not offer.open_alert:  # type: ignore[attr-defined]  # annotations
        closed: datetime | None = offer.last_closed_at  # type: ignore[attr-defined]
        return closed
    return None


def due_follow_ups(patient: Patient) -> list[DueFollowUp]:
    """Unanswered offers whose alert is still open, one per questionnaire, oldest offer first."""
    offers = _with_alert_state(
        FollowUpOffer.objects.filter(
            service_id=patient.service_id, patient=patient, state=FollowUpState.OFFERED
        )
    ).filter(Q(any_alert=False) | Q(open_alert=True))
    due: dict[str, DueFollowUp] = {}
    for offer in offers.order_by("offered_at"):
        due.setdefault(
            offer.instrument_id,
            DueFollowUp(offer.instrument_id, _title(offer.instrument_id), offer.offered_at),
        )
    return list(due.values())


def follow_up_link(assessment: Assessment) -> FollowUpLink | None:
    """For the patient's result page: the follow-up offered after this response, if any."""
    offer = FollowUpOffer.objects.filter(
        service_id=assessment.service_id, trigger_id=assessment.id
    ).first()
    if offer is None:
        return None
    return FollowUpLink(
        title=_title(offer.instrument_id),
        path=reverse("assessments:answer", args=[offer.instrument_id]),
        answered=offer.state == FollowUpState.COMPLETED,
    )


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "j M Y H:i")


def _line(offer: FollowUpOffer, *, show_result: bool, alert_closed_at: datetime | None) -> str:
    name = instrument_short_name(offer.instrument_id)
    offered = f"{name} offered {_when(offer.offered_at)}"
    if offer.state == FollowUpState.COMPLETED and offer.completed_at is not None:
        result = ""
        if show_result and offer.response is not None:
            result = f": {score_text(offer.response)}"
        return f"{offered}, completed {_when(offer.completed_at)}{result}"
    if alert_closed_at is not None:
        return f"{offered}, not answered (no longer asked: alert closed {_when(alert_closed_at)})"
    return f"{offered}, not yet answered"


def follow_up_lines_for_alert(alert: Alert) -> list[str]:
    """For the alert page: what was offered after the answer that raised this alert."""
    if alert.assessment_id is None:
        return []
    offers = _with_alert_state(
        FollowUpOffer.objects.filter(service_id=alert.service_id, trigger_id=alert.assessment_id)
    ).select_related("response")
    return [
        _line(offer, show_result=True, alert_closed_at=_alerts_closed_at(offer))
        for offer in offers.order_by("offered_at")
    ]


@dataclass(frozen=True)
class FollowUpRow:
    offered_at: datetime
    line: str


def follow_ups_of(patient: Patient, *, limit: int = 20) -> list[FollowUpRow]:
    """For the clinician's patient page, newest first. `patient` must come from a selector; the
    follow-up's result is shown only if the reader may see the patient's questionnaires."""
    show_result = stream_visible(patient, DataStream.QUESTIONNAIRES)
    offers = _with_alert_state(
        FollowUpOffer.objects.filter(service_id=patient.service_id, patient=patient)
    )
    return [
        FollowUpRow(
            offer.offered_at,
            _line(offer, show_result=show_result, alert_closed_at=_alerts_closed_at(offer)),
        )
        for offer in offers.select_related("response").order_by("-offered_at")[:limit]
    ]
