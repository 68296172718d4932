"""The one audit of seeing questionnaire results (assessments.services.record_results_viewed,
used by the history endpoint and the patient's pages) names the purpose of the read: the
patient's own (PATRQT), their care team's (TREAT), and under a break-glass grant emergency
treatment (ETREAT: record_event raises the purpose for a patient under an active grant)."""

from __future__ import annotations

import pytest

from careloop.assessments.services import record_results_viewed
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.care.selectors import own_patient_record, patient_visible_to
from careloop.privacy import breakglass

pytestmark = pytest.mark.django_db

REASON = "Patient presented at A&E out of hours; own team unreachable."


def _purpose() -> str:
    return AuditEvent.objects.get(action=AuditAction.ASSESSMENTS_VIEWED).purpose


def test_the_patient_reading_their_own_results_is_self_access(ada, ada_patient) -> None:
    record_results_viewed(ada, own_patient_record(ada))
    assert _purpose() == "PATRQT"


def test_the_care_team_reading_results_is_treatment(ben, ada_patient) -> None:
    record_results_viewed(ben, patient_visible_to(ben, ada_patient.id))
    assert _purpose() == "TREAT"


def test_results_read_under_emergency_access_are_emergency_treatment(dana, ada_patient) -> None:
    breakglass.start(actor=dana, patient=ada_patient, reason=REASON)
    record_results_viewed(dana, patient_visible_to(dana, ada_patient.id))
    assert _purpose() == "ETREAT"
