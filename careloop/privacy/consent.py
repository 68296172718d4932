"""Reads of consent: what applies now, for one patient or for a whole service.

Always read from the database, never from a session or cache: a withdrawal made in one browser
stops reads in every other session on their very next request (ASVS 8.3.2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    DateTimeField,
    Exists,
    F,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from careloop.core import clock
from careloop.privacy.models import ConsentDecision, ConsentDocument
from careloop.privacy.policy import (
    CONSENT_PURPOSE,
    ConsentBasis,
    DataStream,
    PurposeOfUse,
    choices_offered,
    consent_basis,
)
from careloop.privacy.types import Choice


def _patient_model() -> type[Model]:
    """care.Patient, found through the foreign key (privacy sits below care: no import)."""
    return ConsentDecision._meta.get_field("patient").related_model


def _consent_purpose(purpose: PurposeOfUse | str) -> PurposeOfUse | None:
    return CONSENT_PURPOSE.get(PurposeOfUse(purpose))


def current_document(
    *, service_id: uuid.UUID, purpose: PurposeOfUse | str, stream: DataStream | str
) -> ConsentDocument | None:
    """The newest version in force (effective_from has passed)."""
    return (
        ConsentDocument.objects.filter(
            service_id=service_id,
            purpose=purpose,
            stream=stream,
            effective_from__lte=clock.now(),
        )
        .order_by("-version")
        .first()
    )


def reconsent_floor(
    *, service_id: uuid.UUID, purpose: PurposeOfUse | str, stream: DataStream | str
) -> int:
    """The oldest document version an opt-in agreement may be against and still count."""
    floor = ConsentDocument.objects.filter(
        service_id=service_id,
        purpose=purpose,
        stream=stream,
        requires_reconsent=True,
        effective_from__lte=clock.now(),
    ).aggregate(floor=Max("version"))["floor"]
    return int(floor or 0)


def latest_decision(
    *,
    patient_id: uuid.UUID,
    service_id: uuid.UUID,
    purpose: PurposeOfUse | str,
    stream: DataStream | str,
) -> ConsentDecision | None:
    return (
        ConsentDecision.objects.filter(
            service_id=service_id, patient_id=patient_id, purpose=purpose, stream=stream
        )
        .order_by("-decided_at", "-id")
        .first()
    )


def _applies(basis: ConsentBasis, decision: ConsentDecision | None, floor: int) -> bool:
    if basis == ConsentBasis.REQUIRED:
        return True
    if basis == ConsentBasis.NOT_OFFERED:
        return False
    if decision is None:
        return basis == ConsentBasis.OPT_OUT
    if decision.choice == Choice.WITHDRAWN:
        return False
    return basis == ConsentBasis.OPT_OUT or decision.document_version >= floor


def stream_permitted(
    *,
    patient_id: uuid.UUID,
    service_id: uuid.UUID,
    purpose: PurposeOfUse | str,
    stream: DataStream | str,
) -> bool:
    """Whether the patient's consent (or its default) lets `stream` be used for `purpose`.

    Supervision and emergency care are judged by the treatment choice (policy.CONSENT_PURPOSE).
    """
    consent_purpose = _consent_purpose(purpose)
    if consent_purpose is None:
        return False
    stream = DataStream(stream)
    basis = consent_basis(consent_purpose, stream)
    if basis in (ConsentBasis.REQUIRED, ConsentBasis.NOT_OFFERED):
        return basis == ConsentBasis.REQUIRED
    decision = latest_decision(
        patient_id=patient_id, service_id=service_id, purpose=consent_purpose, stream=stream
    )
    if basis == ConsentBasis.OPT_OUT or decision is None or decision.choice == Choice.WITHDRAWN:
        # The re-consent floor only judges an opt-in agreement: skip its query (every read of
        # an opt-out stream, such as questionnaires for treatment, passes through here).
        return _applies(basis, decision, floor=0)
    floor = reconsent_floor(service_id=service_id, purpose=consent_purpose, stream=stream)
    return _applies(basis, decision, floor)


def consented_patient_ids(
    *, service_id: uuid.UUID, purpose: PurposeOfUse | str, stream: DataStream | str
) -> QuerySet[Any, uuid.UUID]:
    """Ids of the service's patients whose consent lets `stream` be used for `purpose`.

    A lazy queryset (usable as a subquery): one SQL statement whatever the number of patients.
    """
    patients = _patient_model()._default_manager.filter(service_id=service_id)
    condition = consent_condition(service_id=service_id, purpose=purpose, stream=stream)
    return patients.filter(condition).values_list("id", flat=True)


def consent_condition(
    *, service_id: uuid.UUID, purpose: PurposeOfUse | str, stream: DataStream | str
) -> Q:
    """The condition, on a patient's own row, that its consent lets `stream` be used for
    `purpose` (the service's patients only; combine it with the caller's other conditions).

    It names refused or agreed ids, never "id in <every consenting patient of the service>": at
    100k patients that set is a scan of the whole patient table each time it is used, even when
    the caller wants a team of 200 (docs/performance.md). Building it runs no SQL.
    """
    nobody = Q(pk__in=[])
    consent_purpose = _consent_purpose(purpose)
    if consent_purpose is None:
        return nobody
    stream = DataStream(stream)
    basis = consent_basis(consent_purpose, stream)
    if basis == ConsentBasis.REQUIRED:
        return Q()
    if basis == ConsentBasis.NOT_OFFERED:
        return nobody
    # Judged over the decision table alone (a handful of rows per patient who ever decided), never
    # by a per-patient subquery over the whole service: that cost 0.35-0.5 s per use at 100k
    # patients (docs/performance.md). A decision counts when no later one exists for its key.
    decisions = ConsentDecision.objects.filter(
        service_id=service_id, purpose=consent_purpose, stream=stream
    )
    later = decisions.filter(patient_id=OuterRef("patient_id")).filter(
        Q(decided_at__gt=OuterRef("decided_at"))
        | Q(decided_at=OuterRef("decided_at"), id__gt=OuterRef("id"))
    )
    latest = decisions.filter(~Exists(later))
    if basis == ConsentBasis.OPT_OUT:
        return ~Q(id__in=latest.filter(choice=Choice.WITHDRAWN).values("patient_id"))
    # Opt-in: the latest decision agrees, to a version the re-consent floor still accepts. The
    # floor is a subquery too, so building this condition runs no SQL (it is nested in caseload
    # queries that must stay a constant number of statements).
    floor = ConsentDocument.objects.filter(
        service_id=service_id,
        purpose=consent_purpose,
        stream=stream,
        requires_reconsent=True,
        effective_from__lte=clock.now(),
    ).order_by("-version")
    agreed = latest.filter(
        choice=Choice.GIVEN,
        document_version__gte=Coalesce(Subquery(floor.values("version")[:1]), Value(0)),
    ).values("patient_id")
    return Q(id__in=agreed)


@dataclass(frozen=True)
class ConsentState:
    """One line of the patient's privacy page."""

    purpose: PurposeOfUse
    stream: DataStream
    basis: ConsentBasis
    permitted: bool
    document: ConsentDocument | None
    decision: ConsentDecision | None
    needs_reconsent: bool  # agreed to a version that no longer counts

    @property
    def can_change(self) -> bool:
        return self.basis in (ConsentBasis.OPT_OUT, ConsentBasis.OPT_IN)


def consent_states(*, patient_id: uuid.UUID, service_id: uuid.UUID) -> list[ConsentState]:
    """Every choice the patient has, with what applies now (three queries in all)."""
    now = clock.now()
    documents: dict[tuple[str, str], ConsentDocument] = {}
    floors: dict[tuple[str, str], int] = {}
    for document in ConsentDocument.objects.filter(
        service_id=service_id, effective_from__lte=now
    ).order_by("version"):
        key = (document.purpose, document.stream)
        documents[key] = document  # ascending: the newest wins
        if document.requires_reconsent:
            floors[key] = document.version
    latest: dict[tuple[str, str], ConsentDecision] = {}
    for row in ConsentDecision.objects.filter(
        service_id=service_id, patient_id=patient_id
    ).order_by("decided_at", "id"):
        latest[(row.purpose, row.stream)] = row
    states = []
    for purpose, stream, basis in choices_offered():
        key = (purpose.value, stream.value)
        decision = latest.get(key)
        floor = floors.get(key, 0)
        states.append(
            ConsentState(
                purpose=purpose,
                stream=stream,
                basis=basis,
                permitted=_applies(basis, decision, floor),
                document=documents.get(key),
                decision=decision,
                needs_reconsent=(
                    basis == ConsentBasis.OPT_IN
                    and decision is not None
                    and decision.choice == Choice.GIVEN
                    and decision.document_version < floor
                ),
            )
        )
    return states


def decisions_of(*, patient_id: uuid.UUID, service_id: uuid.UUID) -> QuerySet[ConsentDecision]:
    """The patient's whole consent history (their receipts), newest first."""
    return ConsentDecision.objects.filter(service_id=service_id, patient_id=patient_id).order_by(
        "-decided_at", "-id"
    )


def decisions_of_patients(
    *, service_id: uuid.UUID | None, patients: QuerySet[Any]
) -> QuerySet[ConsentDecision]:
    """The decisions of `patients` in one service. Privacy sits below care, so it cannot judge
    who may see whom: call it through care.selectors.consent_decisions_visible_to, which passes
    only the patients the reader may see (no service: nothing)."""
    if service_id is None:
        return ConsentDecision.objects.none()
    return ConsentDecision.objects.filter(service_id=service_id, patient__in=patients)


def with_supersession(rows: QuerySet[ConsentDecision]) -> QuerySet[ConsentDecision]:
    """Annotate `superseded_at` (when a later decision for the same patient, purpose and stream
    replaced each; None while it applies) and `last_updated` (that, or when it was made)."""
    later = ConsentDecision.objects.filter(
        service_id=OuterRef("service_id"),
        patient_id=OuterRef("patient_id"),
        purpose=OuterRef("purpose"),
        stream=OuterRef("stream"),
        decided_at__gt=OuterRef("decided_at"),
    ).order_by("decided_at")
    return rows.annotate(
        superseded_at=Subquery(later.values("decided_at")[:1], output_field=DateTimeField())
    ).annotate(last_updated=Coalesce(F("superseded_at"), F("decided_at")))
