"""A check-in note with crisis language raises an alert in the same transaction; a hedged or
neutral note raises nothing."""

from __future__ import annotations

import uuid

import pytest

from careloop.assessments.types import SubmissionSource
from careloop.monitoring.models import CheckIn
from careloop.monitoring.services import record_checkin
from careloop.safety.models import Alert


def _checkin(ada, ada_patient, note: str) -> CheckIn:
    checkin, created = record_checkin(
        ada_patient,
        actor=ada,
        mood=2,
        client_id=uuid.uuid4(),
        source=SubmissionSource.API,
        note=note,
    )
    assert created
    return checkin


def test_a_crisis_note_raises_a_text_alert_with_its_evidence(ada, ada_patient) -> None:
    checkin = _checkin(ada, ada_patient, "I want to kill myself tonight.")
    alert = Alert.objects.get(patient=ada_patient)
    assert alert.severity in ("moderate", "high")
    assert alert.evidence["source"] == f"checkin:{checkin.id}"
    assert alert.evidence["spans"], "every flag shows its evidence"


@pytest.mark.parametrize(
    "note", ["Slept well and went for a walk.", "I would never kill myself.", ""]
)
def test_a_neutral_or_hedged_note_raises_nothing(ada, ada_patient, note) -> None:
    _checkin(ada, ada_patient, note)
    assert not Alert.objects.filter(patient=ada_patient).exists()


def test_the_patient_page_says_why_a_text_alert_was_raised(ada, ada_patient, ben, as_user) -> None:
    _checkin(ada, ada_patient, "I want to kill myself tonight.")
    page = as_user(ben).get(f"/patients/{ada_patient.id}/").content.decode()
    assert "Crisis language" in page
    assert "kill myself" in page  # the words that raised it, shown to the care team only
