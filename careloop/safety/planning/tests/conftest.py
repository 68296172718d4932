"""Extra personas for safety planning: a second patient in Ada's team (Bob), and the safety lead
of another service (Olga), who must never reach this service's data."""

from __future__ import annotations

import pytest

from careloop.accounts.types import Role
from careloop.care.models import CareTeam, Patient
from careloop.core.models import Service
from conftest import make_user


@pytest.fixture
def bob(service, north):
    user = make_user(service, "bob", Role.PATIENT)
    Patient.objects.create(service=service, user=user, care_team=north, display_name="Bob Test")
    return user


@pytest.fixture
def bob_patient(bob) -> Patient:
    return bob.patient_record


@pytest.fixture
def other_service(db) -> Service:
    return Service.objects.create(slug="other-service", name="Other service", country_code="GB")


@pytest.fixture
def olga(other_service):
    team = CareTeam.objects.create(service=other_service, name="Team West")
    return make_user(other_service, "olga", Role.SUPERVISOR, team)
