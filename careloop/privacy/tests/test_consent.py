"""Consent: defaults per purpose and stream, given and withdrawn by the patient with a receipt,
append-only history, re-consent after a changed document, and the service-wide query."""

from __future__ import annotations

from datetime import timedelta

import pytest

from careloop.audit.models import AuditEvent
from careloop.care.models import Patient
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.privacy.consent import (
    consent_states,
    consented_patient_ids,
    current_document,
    stream_permitted,
)
from careloop.privacy.models import ConsentDecision, ImmutableRow
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents, publish_document
from careloop.privacy.types import Choice

T, R, AI = PurposeOfUse.TREAT, PurposeOfUse.HRESCH, PurposeOfUse.MLTRAINING
Q, J = DataStream.QUESTIONNAIRES, DataStream.JOURNAL


@pytest.fixture
def documents(service) -> int:
    return publish_default_documents(service.id)


def _permitted(patient: Patient, purpose: PurposeOfUse, stream: DataStream) -> bool:
    return stream_permitted(
        patient_id=patient.id, service_id=patient.service_id, purpose=purpose, stream=stream
    )


def test_defaults_treatment_opt_out_research_opt_in(ada_patient, documents) -> None:
    assert _permitted(ada_patient, T, Q)
    assert not _permitted(ada_patient, T, J)  # a journal is private until shared
    assert not _permitted(ada_patient, R, Q)
    assert not _permitted(ada_patient, AI, Q)
    assert _permitted(ada_patient, T, DataStream.SAFETY)
    # Supervision and emergency care follow the treatment choice.
    assert _permitted(ada_patient, PurposeOfUse.CAREMGT, Q)
    assert _permitted(ada_patient, PurposeOfUse.ETREAT, Q)


def test_withdrawal_and_agreement_apply_at_once_with_a_receipt_and_an_audit_event(
    ada, ada_patient, documents
) -> None:
    withdrawn = decide(actor=ada, patient=ada_patient, purpose=T, stream=Q, choice=Choice.WITHDRAWN)
    assert not _permitted(ada_patient, T, Q)
    assert not _permitted(ada_patient, PurposeOfUse.ETREAT, Q)
    given = decide(actor=ada, patient=ada_patient, purpose=R, stream=Q, choice=Choice.GIVEN)
    assert _permitted(ada_patient, R, Q)
    assert withdrawn.receipt.startswith("CR-") and withdrawn.receipt != given.receipt
    events = AuditEvent.objects.filter(
        action__in=("privacy.consent_given", "privacy.consent_withdrawn")
    ).order_by("seq")
    assert [(e.action, e.purpose, e.detail["stream"], e.detail["receipt"]) for e in events] == [
        ("privacy.consent_withdrawn", "PATRQT", "questionnaires", withdrawn.receipt),
        ("privacy.consent_given", "PATRQT", "questionnaires", given.receipt),
    ]


def test_history_is_append_only(ada, ada_patient, documents) -> None:
    decision = decide(actor=ada, patient=ada_patient, purpose=T, stream=Q, choice=Choice.WITHDRAWN)
    decision.choice = Choice.GIVEN
    with pytest.raises(ImmutableRow):
        decision.save()
    decide(actor=ada, patient=ada_patient, purpose=T, stream=Q, choice=Choice.GIVEN)
    assert ConsentDecision.objects.filter(patient_id=ada_patient.id).count() == 2
    assert _permitted(ada_patient, T, Q)


def test_only_the_patient_decides_and_only_what_can_change(ada_patient, ben, documents) -> None:
    with pytest.raises(NotFound):
        decide(actor=ben, patient=ada_patient, purpose=T, stream=Q, choice=Choice.WITHDRAWN)
    ada = ada_patient.user
    with pytest.raises(InvalidInput):
        decide(
            actor=ada, patient=ada_patient, purpose=T, stream=DataStream.SAFETY,
            choice=Choice.WITHDRAWN,
        )  # fmt: skip


def test_a_decision_names_the_version_read_and_a_stale_one_is_refused(
    ada, ada_patient, service, documents
) -> None:
    publish_document(
        actor=None, service_id=service.id, purpose=R, stream=Q,
        title={"en": "Research v2"}, body={"en": "New wording."},
    )  # fmt: skip
    with pytest.raises(Conflict):
        decide(
            actor=ada, patient=ada_patient, purpose=R, stream=Q, choice=Choice.GIVEN,
            document_version=1,
        )  # fmt: skip
    decision = decide(
        actor=ada, patient=ada_patient, purpose=R, stream=Q, choice=Choice.GIVEN,
        document_version=2,
    )  # fmt: skip
    assert decision.document_version == 2


def test_a_changed_opt_in_document_asks_for_consent_again(
    ada, ada_patient, service, documents
) -> None:
    decide(actor=ada, patient=ada_patient, purpose=R, stream=Q, choice=Choice.GIVEN)
    # A wording fix that does not change what happens keeps the agreement.
    publish_document(
        actor=None, service_id=service.id, purpose=R, stream=Q,
        title={"en": "Research"}, body={"en": "Typo fixed."},
    )  # fmt: skip
    assert _permitted(ada_patient, R, Q)
    # A material change, in force from tomorrow: still counts today, not tomorrow.
    tomorrow = clock.now() + timedelta(days=1)
    publish_document(
        actor=None, service_id=service.id, purpose=R, stream=Q, title={"en": "Research"},
        body={"en": "Now shared with a partner university."}, requires_reconsent=True,
        effective_from=tomorrow,
    )  # fmt: skip
    assert _permitted(ada_patient, R, Q)
    assert current_document(service_id=service.id, purpose=R, stream=Q).version == 2
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: tomorrow + timedelta(minutes=1))
        assert not _permitted(ada_patient, R, Q)
        assert ada_patient.id not in set(
            consented_patient_ids(service_id=service.id, purpose=R, stream=Q)
        )
        state = next(
            s
            for s in consent_states(patient_id=ada_patient.id, service_id=service.id)
            if (s.purpose, s.stream) == (R, Q)
        )
        assert state.needs_reconsent and not state.permitted
        decide(actor=ada, patient=ada_patient, purpose=R, stream=Q, choice=Choice.GIVEN)
        assert _permitted(ada_patient, R, Q)


def test_service_wide_query_agrees_with_the_per_patient_answer(
    service, north, ada, ada_patient, documents
) -> None:
    from careloop.accounts.types import Role
    from conftest import make_user

    patients = [ada_patient]
    for n in range(5):
        user = make_user(service, f"p{n}", Role.PATIENT)
        patients.append(
            Patient.objects.create(service=service, user=user, care_team=north, display_name="P")
        )
    choices = [Choice.GIVEN, Choice.WITHDRAWN, None, Choice.WITHDRAWN, Choice.GIVEN, None]
    for patient, choice in zip(patients, choices, strict=True):
        for purpose, stream in ((T, Q), (R, Q), (AI, DataStream.CHECKINS)):
            if choice is not None:
                decide(
                    actor=patient.user, patient=patient, purpose=purpose, stream=stream,
                    choice=choice,
                )  # fmt: skip
    for purpose, stream in ((T, Q), (R, Q), (AI, DataStream.CHECKINS), (T, DataStream.SAFETY)):
        ids = set(consented_patient_ids(service_id=service.id, purpose=purpose, stream=stream))
        assert ids == {p.id for p in patients if _permitted(p, purpose, stream)}
    assert len(set(consented_patient_ids(service_id=service.id, purpose=T, stream=Q))) == 4
    assert len(set(consented_patient_ids(service_id=service.id, purpose=R, stream=Q))) == 2
