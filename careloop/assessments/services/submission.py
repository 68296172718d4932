"""The one write path for assessments: validate, score, store, audit, hand to the hooks."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from careloop.assessments.hooks import run_submission_handlers
from careloop.assessments.models import Assessment
from careloop.assessments.scoring_context import scoring_sex
from careloop.assessments.types import AssessmentStatus, SubmissionSource
from careloop.audit.services import linked_at_end, record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import open_episode, require_write
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput
from careloop.core.idempotency import replayed
from careloop.instruments.library import InstrumentDefinition, UnknownInstrument, get_instrument
from careloop.instruments.scoring import (
    IncompleteAnswers,
    InvalidAnswers,
    RiskFlag,
    ScoreResult,
    Sex,
    score,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

# A device clock a few minutes fast must not refuse a real submission; more than this is a
# wrong clock or a wrong date, refused with a clear 422 (issue #18 item 7).
COMPLETED_AT_CLOCK_SKEW = timedelta(minutes=5)
# No instrument in the library predates 1987 (EPDS, Cox 1987; PHQ-9 2001), so an earlier
# completion time is a device default (year 1, the 1970 epoch) or a typo, never a real answer.
EARLIEST_COMPLETED_AT = datetime(1980, 1, 1, tzinfo=UTC)


def checked_completed_at(completed_at: datetime | None, now: datetime) -> datetime:
    """The time to store: `now` when not given; a time within the clock skew becomes `now`."""
    if completed_at is None:
        return now
    if completed_at.utcoffset() is None:
        raise InvalidInput("completed_at needs a time zone, e.g. 2026-03-01T09:30:00Z")
    if completed_at > now + COMPLETED_AT_CLOCK_SKEW:
        raise InvalidInput(
            f"completed_at {completed_at.isoformat()} is in the future "
            f"(server time {now.isoformat(timespec='seconds')})"
        )
    if completed_at < EARLIEST_COMPLETED_AT:
        raise InvalidInput(
            f"completed_at {completed_at.isoformat()} is before "
            f"{EARLIEST_COMPLETED_AT.date().isoformat()}: not a real completion time"
        )
    return min(completed_at, now)


@dataclass(frozen=True)
class Scored:
    """What gets stored: a score, or (incomplete) no score but the answered risk items' flags."""

    result: ScoreResult | None
    risk_flags: tuple[RiskFlag, ...]
    missing_items: tuple[str, ...] = ()

    @property
    def status(self) -> AssessmentStatus:
        return AssessmentStatus.COMPLETE if self.result else AssessmentStatus.INCOMPLETE


def _link_ids(instrument: InstrumentDefinition, positions: tuple[int, ...]) -> tuple[str, ...]:
    return tuple(instrument.items[position - 1].link_id for position in positions)


class MissingAnswers(InvalidInput):
    """Refused because scored questions are blank (no risk answer to keep): the same 422 for the
    API, and the missing item ids so the web form can name them as the patient sees them."""

    def __init__(self, message: str, missing_items: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing_items = missing_items


def _describe(link_ids: tuple[str, ...]) -> str:
    if len(link_ids) == 1:
        return f"question {link_ids[0]}"
    return f"questions {', '.join(link_ids[:-1])} and {link_ids[-1]}"


def _score_or_reject(
    instrument_id: str, answers: list[int | None], *, sex: Sex | None = None
) -> tuple[InstrumentDefinition, Scored]:
    """Score the answers; an incomplete response is kept only when a risk item was answered.

    Missing items without a risk answer are refused (422 naming them, nothing stored): the
    patient is still on the form and can finish it, and an unscored record with nothing
    clinically actionable in it would only clutter the history. With a risk answer, the
    response is stored unscored so the alert is raised now (HZ-017).
    """
    try:
        instrument = get_instrument(instrument_id)
    except UnknownInstrument:
        raise InvalidInput(f"unknown instrument {instrument_id!r}") from None
    if not instrument.enabled:
        raise InvalidInput(f"{instrument.title} is not available: {instrument.disabled_reason}")
    try:
        result = score(instrument_id, answers, sex=sex)  # sex: AUDIT-C cut-off (HZ-022)
    except IncompleteAnswers as incomplete:
        missing = _link_ids(instrument, incomplete.missing)
        answered_risk = tuple(flag for flag in incomplete.risk_flags if flag.value is not None)
        if answered_risk:
            return instrument, Scored(None, answered_risk, missing)
        raise MissingAnswers(
            f"{instrument.title} was not stored: please answer {_describe(missing)} "
            f"(missing items: {', '.join(missing)}). {incomplete}",
            missing,
        ) from None
    except InvalidAnswers as error:
        raise InvalidInput(str(error)) from None
    return instrument, Scored(result, result.risk_flags)


def rows_of(patient: Patient) -> QuerySet[Assessment]:
    """The patient's assessments: one client id space for app submissions and imported totals."""
    return Assessment.objects.filter(service_id=patient.service_id, patient=patient)


def _earlier(patient: Patient, client_id: uuid.UUID) -> Assessment | None:
    return rows_of(patient).filter(client_id=client_id).first()


def _continues(earlier: Assessment, instrument_id: str, answers: list[int | None]) -> bool:
    """True when `answers` complete an incomplete response: every answer given stays as given.

    So a risk answer once recorded can never be taken back by re-sending under the same id.
    """
    return (
        earlier.status == AssessmentStatus.INCOMPLETE
        and earlier.instrument_id == instrument_id
        and len(answers) >= len(earlier.answers)
        and all(
            before is None or before == after
            for before, after in zip(earlier.answers, answers, strict=False)
        )
    )


def _replayed(
    patient: Patient, client_id: uuid.UUID, instrument_id: str, answers: list[int | None]
) -> Assessment | None:
    """The earlier copy of a re-sent submission, or None; a different payload is a conflict."""
    return replayed(
        rows_of(patient),
        client_id,
        content=lambda earlier: (earlier.instrument_id, earlier.answers),
        sent=(instrument_id, answers),
        what="submission",
    )


def _score_fields(scored: Scored) -> dict[str, object]:
    result = scored.result
    return {
        "status": scored.status,
        "missing_items": list(scored.missing_items),
        "score_total": result.total if result else None,
        "band": (result.band or "") if result else "",
        "caseness": result.caseness if result else None,
        "prorated": result.prorated if result else False,
        "risk_flags": [asdict(flag) for flag in scored.risk_flags],
    }


def submit_assessment(
    patient: Patient,
    *,
    actor: User,
    instrument_id: str,
    answers: list[int | None],
    client_id: uuid.UUID,
    source: SubmissionSource,
    completed_at: datetime | None = None,
) -> tuple[Assessment, bool]:
    """Store a questionnaire once per client id; return it and whether it is new.

    1. Score first: bad input raises InvalidInput before anything is written. Missing items
       are refused too, unless a risk item was answered: then the response is stored with
       status INCOMPLETE, unscored, with its missing item ids (HZ-017).
    2. A re-sent submission (same client id, same answers) returns the stored one unchanged.
       Re-sent answers that fill in an INCOMPLETE response (every earlier answer kept) complete
       that same record (returned as not new); any other change is a conflict.
    3. Store, audit and run the submission hooks (safety rules) in one transaction, so an alert
       can never be missing for a stored risk answer, nor exist for a rolled-back one.
    """
    require_write(actor, patient)  # the patient or their team; never emergency access (HZ-023)
    instrument, scored = _score_or_reject(instrument_id, answers, sex=scoring_sex(patient))
    earlier = _earlier(patient, client_id)
    if earlier is not None and (
        (earlier.instrument_id, earlier.answers) == (instrument_id, answers)
        or not _continues(earlier, instrument_id, answers)
    ):
        return _replayed(patient, client_id, instrument_id, answers) or earlier, False
    now = clock.now()
    when = checked_completed_at(completed_at, now)
    if earlier is not None:
        return _complete_earlier(earlier, instrument, scored, answers, actor, when, now), False
    try:
        # linked_at_end: the audit events (this one and any alert's) join the audit chain just
        # before commit, so the service's chain lock is held only for the last statements.
        with transaction.atomic(), linked_at_end():
            assessment = Assessment.objects.create(
                service_id=patient.service_id,
                patient=patient,
                episode=open_episode(patient),
                instrument_id=instrument_id,
                instrument_version=instrument.versioned_id,
                answers=answers,
                completed_at=when,
                recorded_at=now,
                submitted_by=actor,
                source=source,
                client_id=client_id,
                **_score_fields(scored),
            )
            run_submission_handlers(assessment)
            _audit_submission(actor, patient, assessment)
    except IntegrityError:
        # Two copies of one submission raced; the other one won. Return it (or report the clash).
        if earlier := _replayed(patient, client_id, instrument_id, answers):
            return earlier, False
        raise
    return assessment, True


def record_results_viewed(
    reader: User,
    patient: Patient,
    *,
    assessment_id: uuid.UUID | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    """Audit that `reader` saw questionnaire results of `patient`: one result, or the history
    (scores and bands; the audit event holds ids and codes only)."""
    record_event(
        actor=reader,
        action=AuditAction.ASSESSMENTS_VIEWED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.PATRQT if patient.user_id == reader.id else PurposeOfUse.TREAT,
        obj=("Assessment", assessment_id) if assessment_id else ("Patient", patient.id),
        detail=detail,
    )


def _audit_submission(
    actor: User, patient: Patient, assessment: Assessment, **extra: object
) -> None:
    detail: dict[str, object] = {"instrument": assessment.instrument_version}
    if assessment.status != AssessmentStatus.COMPLETE:
        detail |= {"status": assessment.status, "missing_items": assessment.missing_items}
    record_event(
        actor=actor,
        action=AuditAction.ASSESSMENT_SUBMITTED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.PATRQT if actor.id == patient.user_id else PurposeOfUse.TREAT,
        obj=("Assessment", assessment.id),
        detail=detail | extra,
    )


def _complete_earlier(
    earlier: Assessment,
    instrument: InstrumentDefinition,
    scored: Scored,
    answers: list[int | None],
    actor: User,
    when: datetime,
    now: datetime,
) -> Assessment:
    """Fill in an incomplete response under its own client id (same record, same alerts).

    The safety hook runs again: its alerts are keyed by assessment and flag, so the risk
    answer already alerted on is not alerted twice, while a new risk answer or a now-scorable
    rise in the total is.
    """
    with transaction.atomic(), linked_at_end():
        assessment = Assessment.objects.select_for_update().get(id=earlier.id)
        if not _continues(assessment, instrument.id, answers):  # changed while we scored
            raise Conflict("this client id was already used for a different submission")
        assessment.answers = answers
        assessment.instrument_version = instrument.versioned_id
        assessment.completed_at = when
        assessment.recorded_at = now
        for name, value in _score_fields(scored).items():
            setattr(assessment, name, value)
        assessment.save()
        run_submission_handlers(assessment)
        _audit_submission(actor, assessment.patient, assessment, continued_incomplete=True)
    return assessment
