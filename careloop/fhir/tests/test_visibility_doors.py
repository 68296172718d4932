"""The reads FHIR search composes (each owned by its domain) fail closed: a reader outside the
patient's care, or with no service, gets nothing; the patient and their care team get the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.selectors import (
    assessments_of_patient_visible_to,
    assessments_visible_to,
)
from careloop.care.selectors import (
    care_teams_visible_to,
    consent_decisions_visible_to,
    own_patient_id,
    practitioners_visible_to,
)
from careloop.messaging.selectors import messages_visible_to
from careloop.monitoring.selectors.plans import measurement_plans_visible_to
from careloop.safety.planning.selectors import safety_plans_visible_to
from careloop.safety.selectors import automated_alerts_visible_to
from conftest import fill_patient_record

pytestmark = pytest.mark.django_db

# Every reader-taking door fhir search reads patient data through.
DOORS: dict[str, Callable[[User], Any]] = {
    "assessments": assessments_visible_to,
    "measurement plans": measurement_plans_visible_to,
    "safety plans": safety_plans_visible_to,
    "messages": messages_visible_to,
    "automated alerts": automated_alerts_visible_to,
    "consent decisions": consent_decisions_visible_to,
    "care teams": care_teams_visible_to,
    "practitioners": practitioners_visible_to,
}
# What the patient themself sees of their own record (alerts are for the care team only).
PATIENT_SEES = ("assessments", "measurement plans", "safety plans", "messages", "care teams")
TEAM_SEES = ("assessments", "measurement plans", "safety plans", "messages", "automated alerts")


@pytest.fixture
def record(ada, ben, ada_patient):
    fill_patient_record(ada_patient, ada, ben)
    return ada_patient


@pytest.fixture
def serviceless() -> User:
    return User.objects.create_user(
        username="nobody", password="not-a-secret-1234", role=Role.CLINICIAN, service=None
    )


@pytest.mark.parametrize("door", DOORS)
def test_an_outsider_clinician_gets_nothing_of_the_patient(record, dana, door):
    rows = DOORS[door](dana)
    if door in ("care teams", "practitioners"):  # her own team and herself, never Ada's
        assert record.care_team_id not in {t.id for t in care_teams_visible_to(dana)}
        return
    assert not rows.exists()


@pytest.mark.parametrize("door", DOORS)
def test_a_reader_without_a_service_gets_nothing(record, serviceless, door):
    assert not DOORS[door](serviceless).exists()


@pytest.mark.parametrize("door", PATIENT_SEES)
def test_the_patient_sees_their_own_record(record, ada, door):
    assert DOORS[door](ada).exists()


@pytest.mark.parametrize("door", TEAM_SEES)
def test_the_care_team_sees_their_patient(record, ben, door):
    assert DOORS[door](ben).exists()


def test_the_patient_sees_their_team_staff_and_nobody_else(record, ada, ben, dana):
    assert set(practitioners_visible_to(ada)) == {ben}


def test_one_named_patient_is_judged_alone(record, ada, ben, dana):
    assert assessments_of_patient_visible_to(ben, record.id).exists()
    assert not assessments_of_patient_visible_to(dana, record.id).exists()
    assert own_patient_id(ada) == record.id
    assert own_patient_id(ben) is None
