"""Personas shared by every test: patient Ada and her clinician Ben (Team North), supervisor Sam,
outsider clinician Dana (Team South), service admin Cleo. All synthetic."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from careloop.accounts import mfa
from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import CareTeam, Patient, TeamMembership
from careloop.core.models import Service

# One BLAS thread: tests run beside each other on 2 cores (set before anything imports numpy).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """`make test-fast` builds the tables from the models (--nomigrations), which skips the
    data a migration writes: the AI registry's built-in versions. Write them the same way."""
    if request.config.getoption("nomigrations", default=False):
        from importlib import import_module

        from django.apps import apps

        builtins = import_module("careloop.ai.migrations.0002_builtin_versions")
        with django_db_blocker.unblock():
            builtins.add_builtins(apps, None)


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


def submit_answers(
    patient: Patient,
    actor: User,
    instrument_id: str,
    answers: list[int | None],
    *,
    source: SubmissionSource = SubmissionSource.WEB,
) -> Assessment:
    """Submit a questionnaire through the real service (a new client id each time)."""
    from careloop.assessments.services import submit_assessment

    assessment, _new = submit_assessment(
        patient,
        actor=actor,
        instrument_id=instrument_id,
        answers=answers,
        client_id=uuid.uuid4(),
        source=source,
    )
    return assessment


def fill_patient_record(patient: Patient, user: User, clinician: User) -> None:
    """Data in every domain about `patient` (API fuzzing needs real rows behind each route):
    a PHQ-9 whose item 9 raises an alert, a check-in, a measurement plan, a safety plan, a
    shared journal entry and messages both ways."""
    from careloop.journal.services import write_entry
    from careloop.messaging.services import send_message
    from careloop.monitoring.services import ensure_default_plan, record_checkin
    from careloop.safety.planning.services import save_safety_plan

    submit_answers(patient, user, "phq9", [1] * 9)
    record_checkin(
        patient, actor=user, mood=4, note="a check-in note", client_id=uuid.uuid4(),
        source=SubmissionSource.WEB,
    )  # fmt: skip
    ensure_default_plan(patient, actor=clinician)
    save_safety_plan(
        patient, actor=user, base_version=0, sections={"warning_signs": [{"text": "a sign"}]}
    )
    write_entry(user, patient, body="a shared entry", shared=True, client_id=uuid.uuid4())
    send_message(user, patient, body="a message", client_id=uuid.uuid4())
    send_message(clinician, patient, body="a reply", client_id=uuid.uuid4())


@pytest.fixture
def wsgi_keeps_test_connection():
    """Calling the WSGI app directly (schemathesis in-process) fires request_finished, which
    would close the test's database connection (on PostgreSQL mid-transaction); Django's own
    test Client avoids this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
