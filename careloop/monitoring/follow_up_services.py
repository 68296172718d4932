"""Writes for the follow-up after a risk answer (issue #18 item 5, hazard HZ-021).

After a positive PHQ-9 item 9 the clinical spec's action is "same-day clinician review +
structured risk assessment (e.g. C-SSRS screener), safety plan" (clinical_spec.md §1 safety,
platform policy; the C-SSRS screener is §13). The clinician review is the alert (safety). This
module offers the structured assessment to the patient at once:

1. Inside the submission's transaction (assessments.hooks), a PHQ-9 whose item 9 was answered
   above "Not at all" stores a FollowUpOffer of the service's follow-up questionnaire (C-SSRS
   screener unless the service chose another), audited. The result page links to it and the
   patient's due list shows it (follow_up_selectors) until it is answered or every alert raised
   by that PHQ-9 is closed.
2. When the patient then submits that questionnaire, the open offers for it are completed with
   the response and the time, audited, in the same transaction as the response.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.core import clock
from careloop.core.errors import InvalidInput, PermissionDenied
from careloop.instruments.library import UnknownInstrument, get_instrument
from careloop.monitoring.models import DEFAULT_RISK_FOLLOW_UP, FollowUpOffer, MonitoringSettings
from careloop.monitoring.types import FollowUpState

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.assessments.models import Assessment

log = logging.getLogger(__name__)

# The risk answers that lead to a follow-up: PHQ-9 item 9 >= 1 (scorer flag; clinical_spec §1).
FOLLOW_UP_TRIGGERS = frozenset({("phq9", "phq9_item9_positive")})


def follow_up_instrument(service_id: uuid.UUID) -> str | None:
    """The service's chosen follow-up questionnaire, or the default; None if neither is enabled
    in the instrument library (logged: then only the alert's clinician review follows)."""
    chosen = (
        MonitoringSettings.objects.filter(service_id=service_id)
        .values_list("risk_follow_up_instrument", flat=True)
        .first()
    )
    for instrument_id in (chosen, DEFAULT_RISK_FOLLOW_UP):
        if instrument_id and _enabled(instrument_id):
            return instrument_id
    log.warning("no enabled follow-up questionnaire for service %s", service_id)
    return None


def _enabled(instrument_id: str) -> bool:
    try:
        return get_instrument(instrument_id).enabled
    except UnknownInstrument:
        return False


def _is_trigger(assessment: Assessment) -> bool:
    return any(
        (assessment.instrument_id, str(flag.get("code", ""))) in FOLLOW_UP_TRIGGERS
        for flag in assessment.risk_flags or []
        if isinstance(flag, dict)
    )


def on_assessment_recorded(assessment: Assessment) -> None:
    """Submission hook (runs in the submission's transaction): complete, then offer."""
    _complete_open_offers(assessment)
    if _is_trigger(assessment):
        _offer(assessment)


def _offer(trigger: Assessment) -> FollowUpOffer | None:
    instrument_id = follow_up_instrument(trigger.service_id)
    if instrument_id is None:
        return None
    offer, created = FollowUpOffer.objects.get_or_create(
        service_id=trigger.service_id,
        trigger=trigger,
        defaults={
            "patient_id": trigger.patient_id,
            "instrument_id": instrument_id,
            "offered_at": clock.now(),
        },
    )
    if created:
        record_event(
            actor=None,  # offered by Careloop itself, not by a person
            action=AuditAction.FOLLOW_UP_OFFERED,
            service_id=trigger.service_id,
            patient_id=trigger.patient_id,
            purpose=PurposeOfUse.TREAT,
            obj=("FollowUpOffer", offer.id),
            detail={"instrument": instrument_id, "trigger": str(trigger.id)},
        )
    return offer


def _complete_open_offers(response: Assessment) -> None:
    open_offers = FollowUpOffer.objects.filter(
        service_id=response.service_id,
        patient_id=response.patient_id,
        instrument_id=response.instrument_id,
        state=FollowUpState.OFFERED,
        offered_at__lte=response.recorded_at,
    ).exclude(trigger=response)
    for offer in open_offers.select_for_update():
        offer.state = FollowUpState.COMPLETED
        offer.response = response
        offer.completed_at = response.completed_at
        offer.save(update_fields=["state", "response", "completed_at"])
        record_event(
            actor=response.submitted_by,
            action=AuditAction.FOLLOW_UP_COMPLETED,
            service_id=response.service_id,
            patient_id=response.patient_id,
            purpose=PurposeOfUse.TREAT,
            obj=("FollowUpOffer", offer.id),
            detail={"instrument": response.instrument_version, "response": str(response.id)},
        )


def set_risk_follow_up(*, actor: User, instrument_id: str) -> MonitoringSettings:
    """A service admin chooses the questionnaire offered after a positive PHQ-9 item 9.

    Only an enabled questionnaire other than the PHQ-9 itself; audited.
    """
    if actor.role != Role.SERVICE_ADMIN or actor.service_id is None:
        raise PermissionDenied("only a service admin can change the service's settings")
    try:
        definition = get_instrument(instrument_id)
    except UnknownInstrument:
        raise InvalidInput(f"unknown questionnaire {instrument_id!r}") from None
    if not definition.enabled or instrument_id == "phq9":
        raise InvalidInput(f"{definition.title} cannot be the follow-up questionnaire")
    with transaction.atomic():
        row, _ = MonitoringSettings.objects.select_for_update().get_or_create(
            service_id=actor.service_id
        )
        previous = row.risk_follow_up_instrument
        row.risk_follow_up_instrument = instrument_id
        row.updated_at = clock.now()
        row.save(update_fields=["risk_follow_up_instrument", "updated_at"])
        record_event(
            actor=actor,
            action=AuditAction.FOLLOW_UP_SETTING_CHANGED,
            service_id=actor.service_id,
            purpose=PurposeOfUse.HOPERAT,
            obj=("MonitoringSettings", row.id),
            detail={"from": previous, "to": instrument_id},
        )
    return row
