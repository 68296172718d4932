"""Personas shared by every test: patient Ada and her clinician Ben (Team North), supervisor Sam,
outsider clinician Dana (Team South), service admin Cleo. All synthetic."""

from __future__ import annotations

import os

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from careloop.accounts import mfa
from careloop.accounts.models import Role, User
from careloop.care.models import CareTeam, Patient, TeamMembership
from careloop.core.models import Service

# One BLAS thread: tests run beside each other on 2 cores (set before anything imports numpy).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def service(db) -> Service:
    return Service.objects.create(slug="test-service", name="Test service")


@pytest.fixture
def north(service) -> CareTeam:
    return CareTeam.objects.create(service=service, name="Team North")


@pytest.fixture
def south(service) -> CareTeam:
    return CareTeam.objects.create(service=service, name="Team South")


def make_user(service: Service, username: str, role: Role, team: CareTeam | None = None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, service=service
    )
    if role in (Role.CLINICIAN, Role.SUPERVISOR) and team is not None:
        TeamMembership.objects.create(service=service, team=team, user=user)
    if user.is_staff_role:
        mfa.enrol_confirmed_device(user)
    return user


@pytest.fixture
def ada(service, north) -> User:
    user = make_user(service, "ada", Role.PATIENT)
    Patient.objects.create(
        service=service, user=user, care_team=north, display_name="Ada Test", birth_year=1990
    )
    return user


@pytest.fixture
def ada_patient(ada) -> Patient:
    return ada.patient_record


@pytest.fixture
def ben(service, north) -> User:
    return make_user(service, "ben", Role.CLINICIAN, north)


@pytest.fixture
def sam(service, north) -> User:
    return make_user(service, "sam", Role.SUPERVISOR, north)


@pytest.fixture
def dana(service, south) -> User:
    return make_user(service, "dana", Role.CLINICIAN, south)


@pytest.fixture
def cleo(service) -> User:
    return make_user(service, "cleo", Role.SERVICE_ADMIN)


def signed_in(user: User, *, mfa_verified: bool = True) -> Client:
    """A test client with `user` signed in; staff also past MFA unless told otherwise."""
    client = Client()
    client.force_login(user)
    device = mfa.confirmed_device(user)
    if mfa_verified and device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def as_user():
    return signed_in
