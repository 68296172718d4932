"""Visibility fails closed (#12): a patient object that no selector handed out shows no stream, a
patient with no stored consent decision shows only what the policy permits without one, and
trusted system code reads a stream only when it says so (care.selectors.for_system)."""

from __future__ import annotations

import pytest

from careloop.accounts.types import Role
from careloop.care.models import Patient
from careloop.care.selectors import (
    for_system,
    patient_visible_to,
    patients_visible_to,
    stream_readable,
    stream_visible,
)
from careloop.privacy.models import ConsentDecision
from careloop.privacy.policy import DataStream, PurposeOfUse, consent_permits_by_default
from conftest import make_user, submit_answers


def _loaded_by_id(patient: Patient) -> Patient:
    """The record as code that skips the selectors would hold it: loaded by id, no access."""
    return Patient.objects.get(id=patient.id)


@pytest.mark.parametrize("stream", list(DataStream), ids=str)
def test_a_patient_no_selector_opened_shows_no_stream(ada_patient, stream) -> None:
    assert not stream_visible(_loaded_by_id(ada_patient), stream)


def test_a_patient_with_no_stored_consent_decision(service, ada_patient, ben) -> None:
    assert not ConsentDecision.objects.filter(patient_id=ada_patient.id).exists()
    # The journal is opt-in: with no decision stored it stays private, however it was loaded.
    assert not stream_visible(_loaded_by_id(ada_patient), DataStream.JOURNAL)
    # Opened by the care team, each stream shows exactly what the policy permits by default.
    opened = patient_visible_to(ben, ada_patient.id)
    for stream in DataStream:
        expected = consent_permits_by_default(PurposeOfUse.TREAT, stream)
        assert stream_visible(opened, stream) == expected, stream
    assert not stream_visible(opened, DataStream.JOURNAL)
    # Research is opt-in for every stream: without an agreement the researcher sees nobody.
    rita = make_user(service, "rita", Role.RESEARCHER)
    assert not patients_visible_to(rita, PurposeOfUse.HRESCH).exists()
    for stream in DataStream:
        assert not stream_readable(rita, ada_patient.id, stream, PurposeOfUse.HRESCH), stream


@pytest.mark.parametrize("stream", list(DataStream), ids=str)
def test_the_explicit_system_path_reads_every_stream(ada_patient, stream) -> None:
    patient = for_system(_loaded_by_id(ada_patient), reason="test")
    assert stream_visible(patient, stream)


def test_a_stream_selector_shows_nothing_without_access_and_all_for_the_system(
    ada, ada_patient
) -> None:
    from careloop.assessments.selectors import assessments_of

    submitted = submit_answers(ada_patient, ada, "phq9", [1] * 9)
    assert not assessments_of(_loaded_by_id(ada_patient)).exists()
    system = for_system(_loaded_by_id(ada_patient), reason="test")
    assert list(assessments_of(system)) == [submitted]


def test_episodes_of_fails_closed_and_the_system_path_reads_them(ada, ada_patient, ben) -> None:
    from careloop.care.models import TreatmentEpisode
    from careloop.care.selectors import episodes_of

    today = ada_patient.created_at.date()
    TreatmentEpisode.objects.create(
        service_id=ada_patient.service_id, patient=ada_patient, referred_on=today, started_on=today
    )
    assert episodes_of(_loaded_by_id(ada_patient)) == []
    assert len(episodes_of(patient_visible_to(ben, ada_patient.id))) == 1
    assert len(episodes_of(for_system(_loaded_by_id(ada_patient), reason="test"))) == 1


def test_an_erased_patient_is_no_break_glass_candidate(ada_patient, dana) -> None:
    from careloop.care.selectors import break_glass_candidate
    from careloop.core import clock
    from careloop.core.errors import NotFound

    assert break_glass_candidate(dana, ada_patient.id).id == ada_patient.id
    Patient.objects.filter(id=ada_patient.id).update(erased_at=clock.now())
    with pytest.raises(NotFound):
        break_glass_candidate(dana, ada_patient.id)
