"""Inside Careloop (run as `python -m benchmarks.harness.fixtures SLUG OUT.json N`): the logins and
signed-in sessions the load needs, a 200-patient caseload for the registry page, then a settled
worker. Idempotent: a second run reuses the users and the caseload and only mints new sessions.

Sessions are made the way django.contrib.auth and django-otp make them at sign-in (staff sessions
carry a verified TOTP device), so every request still passes the production middleware.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
import uuid
from pathlib import Path
from typing import Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


_setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from careloop.accounts import mfa  # noqa: E402
from careloop.accounts.models import User  # noqa: E402
from careloop.accounts.types import Role  # noqa: E402
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode  # noqa: E402
from careloop.care.types import EpisodeEnding  # noqa: E402
from careloop.core import worker  # noqa: E402
from careloop.core.models import Service  # noqa: E402

REGISTRY_TEAM = "Bench registry team"
# multiprocess.py's team (scale_fixtures.py); its name sorts after the seeded "Team N" so the
# teams picked here stay the same whether or not it exists.
SCALE_TEAM = "Zz bench scale team"
ALERT_PATIENTS = 20
READ_PATIENTS = 2000
SETTLE_SECONDS = 300


def _user(service: Service, username: str, role: Role) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "service": service, "first_name": "Bench"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if user.is_staff_role and mfa.confirmed_device(user) is None:
        mfa.enrol_confirmed_device(user)
    return user


def _member(service: Service, team: CareTeam, user: User) -> None:
    TeamMembership.objects.get_or_create(service=service, team=team, user=user)


def _cookie(user: User) -> str:
    """A fresh signed-in session for `user`, as a Cookie header with a CSRF token beside it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = mfa.confirmed_device(user)
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _ongoing(team: CareTeam, limit: int) -> list[Patient]:
    """The first `limit` patients of the team still in treatment (they can submit and alert)."""
    ongoing = TreatmentEpisode.objects.filter(ending=EpisodeEnding.ONGOING).values("patient_id")
    query = Patient.objects.filter(care_team=team, id__in=ongoing).order_by("id")
    return list(query[:limit])


def _registry_team(service: Service, donor: CareTeam, size: int) -> CareTeam:
    """A team of exactly `size` patients (moved from `donor` once, ongoing episodes first)."""
    team, _ = CareTeam.objects.get_or_create(service=service, name=REGISTRY_TEAM)
    missing = size - Patient.objects.filter(care_team=team).count()
    if missing > 0:
        donors = [p.id for p in _ongoing(donor, missing)]
        Patient.objects.filter(id__in=donors).update(care_team=team)
        missing -= len(donors)
    if missing > 0:  # a small population: discharged patients make up the number
        rest = Patient.objects.filter(care_team=donor).order_by("id").values_list("id", flat=True)
        Patient.objects.filter(id__in=list(rest[:missing])).update(care_team=team)
    return team


def _patient_logins(service: Service, patients: list[Patient], prefix: str) -> list[User]:
    users = []
    for patient in patients:
        if patient.user_id is None:
            patient.user = _user(service, f"{prefix}-{patient.id}", Role.PATIENT)
            patient.save(update_fields=["user"])
        users.append(patient.user)
    return [user for user in users if user is not None]


@transaction.atomic
def build(slug: str, submit_patients: int, caseload: int) -> dict[str, Any]:
    service = Service.objects.get(slug=slug)
    teams = list(
        CareTeam.objects.filter(service=service)
        .exclude(name__in=(REGISTRY_TEAM, SCALE_TEAM))
        .order_by("name")
    )
    registry = _registry_team(service, teams[0], caseload)
    registry_clinician = _user(service, f"bench-registry-{slug}", Role.CLINICIAN)
    _member(service, registry, registry_clinician)
    reader = _user(service, f"bench-reader-{slug}", Role.CLINICIAN)
    _member(service, teams[1], reader)
    supervisor = _user(service, f"bench-supervisor-{slug}", Role.SUPERVISOR)
    _member(service, teams[1], supervisor)
    submitters = _patient_logins(service, _ongoing(teams[2], submit_patients), "bench-patient")
    alerted = _patient_logins(service, _ongoing(registry, ALERT_PATIENTS), "bench-alert")
    read_ids = list(
        Patient.objects.filter(care_team=teams[1]).order_by("id").values_list("id", flat=True)
    )[:READ_PATIENTS]
    csrf = secrets.token_hex(16)  # 32 characters: Django accepts an unmasked secret as the token

    def with_csrf(cookie: str) -> str:
        return f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}"

    return {
        "service_id": str(service.id),
        "service_slug": service.slug,
        "csrf": csrf,
        "registry_clinician": with_csrf(_cookie(registry_clinician)),
        "reader": with_csrf(_cookie(reader)),
        "supervisor": with_csrf(_cookie(supervisor)),
        "submitters": [
            {"cookie": with_csrf(_cookie(u)), "patient_id": str(u.patient_record.id)}
            for u in submitters
        ],
        "alerted": [
            {"cookie": with_csrf(_cookie(u)), "patient_id": str(u.patient_record.id)}
            for u in alerted
        ],
        "read_patient_ids": [str(patient_id) for patient_id in read_ids],
    }


def settle(limit_seconds: float) -> dict[str, int]:
    """Run the worker's jobs until none finds work, so seeded alerts and new logins' plans are
    handled before measuring rather than by a worker competing with the load."""
    totals: dict[str, int] = {}
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        handled = worker.run_once()
        for name, count in handled.items():
            totals[name] = totals.get(name, 0) + max(count, 0)
        if not any(count > 0 for count in handled.values()):
            break
    return totals


def main(argv: list[str]) -> None:
    slug, out, submit_patients, caseload = argv[0], Path(argv[1]), int(argv[2]), int(argv[3])
    fixtures = build(slug, submit_patients, caseload)
    fixtures["settled"] = settle(SETTLE_SECONDS)
    fixtures["run_id"] = str(uuid.uuid4())
    out.write_text(json.dumps(fixtures), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
