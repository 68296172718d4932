"""Inside Careloop (run as `python -m benchmarks.harness.scale_fixtures SLUG OUT.json N`): what the
two-server measurement (multiprocess.py) needs beside the ordinary fixtures.

- SCALE_TEAM ("Zz bench scale team"): two clinicians (e-mail and SMS) and a supervisor
  (e-mail), with an escalation policy of three 10-second tiers, so one alert runs its whole chain
  (clinicians, on-call: a rota gap that goes to the supervisor, service lead: the supervisor,
  then the fallback) in about 40 s and both workers' notify, escalate and deliver jobs take part.
- N of its patients in treatment and without alerts (moved once from the last seeded team), each
  with a login and a signed-in session, to submit the PHQ-9s that raise the alerts.
- A password for one clinician and one patient, so a real sign-in can start on one server and
  go on on the other (the TOTP key goes with it: the harness computes the code).

Idempotent: a second run reuses the team, staff and patients and mints new sessions.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

from django.conf import settings  # after fixtures configured Django
from django.db import transaction

from benchmarks.harness.fixtures import (
    REGISTRY_TEAM,
    SCALE_TEAM,
    _cookie,
    _member,
    _patient_logins,
    _user,
    settle,
)
from careloop.accounts import mfa
from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.care.models import CareTeam, Patient, TreatmentEpisode
from careloop.care.types import EpisodeEnding
from careloop.core.models import Service
from careloop.safety.models import Alert
from careloop.safety.services import TierSpec, set_escalation_policy
from careloop.safety.types import TierTarget

TIER_SECONDS = 10  # the shortest window a policy may have (policies.MIN_WINDOW_SECONDS)
TIERS = (TierTarget.TEAM_CLINICIANS, TierTarget.ON_CALL, TierTarget.SERVICE_LEAD)
# Fictional contact details (RFC 2606 domain; Ofcom's drama range of mobile numbers).
STAFF = (
    ("clinician-1", Role.CLINICIAN, "clinician-1@bench.invalid", "+447700900101"),
    ("clinician-2", Role.CLINICIAN, "clinician-2@bench.invalid", "+447700900102"),
    ("supervisor", Role.SUPERVISOR, "supervisor@bench.invalid", ""),
)


def _policy(team: CareTeam, supervisor: User) -> None:
    """Short tiers so every chain runs to its fallback within the run, set as a supervisor sets
    them in the app (a new policy version, audited)."""
    set_escalation_policy(
        team,
        actor=supervisor,
        tiers=[TierSpec(target, TIER_SECONDS) for target in TIERS],
    )


def _patients(service: Service, team: CareTeam, wanted: int) -> list[Patient]:
    """`wanted` patients of the team in treatment, topped up from the last seeded team with
    patients who have no alerts (so the chain of every alert counted is the harness's own)."""
    ongoing = TreatmentEpisode.objects.filter(ending=EpisodeEnding.ONGOING).values("patient_id")
    in_team = Patient.objects.filter(care_team=team, id__in=ongoing).order_by("id")
    missing = wanted - in_team.count()
    if missing > 0:
        donor = (
            CareTeam.objects.filter(service=service)
            .exclude(name__in=(REGISTRY_TEAM, SCALE_TEAM))
            .order_by("name")
            .last()
        )
        alerted = Alert.objects.values("patient_id")
        donors = (
            Patient.objects.filter(care_team=donor, id__in=ongoing)
            .exclude(id__in=alerted)
            .order_by("-id")
            .values_list("id", flat=True)
        )
        Patient.objects.filter(id__in=list(donors[:missing])).update(care_team=team)
    return list(in_team[:wanted])


@transaction.atomic
def build(slug: str, patients: int) -> dict[str, Any]:
    service = Service.objects.get(slug=slug)
    team, _ = CareTeam.objects.get_or_create(service=service, name=SCALE_TEAM)
    staff = {}
    for name, role, email, phone in STAFF:
        user = _user(service, f"bench-scale-{name}-{slug}", role)
        user.email, user.phone_number = email, phone
        user.save(update_fields=["email", "phone_number"])
        _member(service, team, user)
        staff[name] = user
    _policy(team, staff["supervisor"])
    logins = _patient_logins(service, _patients(service, team, patients), "bench-scale-patient")
    csrf = secrets.token_hex(16)

    def with_csrf(cookie: str) -> str:
        return f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}"

    password = secrets.token_urlsafe(18)
    signer, clinician = logins[0], staff["clinician-1"]
    for user in (signer, clinician):
        user.set_password(password)
        user.save(update_fields=["password"])
    device = mfa.confirmed_device(clinician)
    assert device is not None  # _user enrols staff
    return {
        "team": SCALE_TEAM,
        "csrf": csrf,
        "tier_seconds": TIER_SECONDS,
        "staff": {
            name: {"id": str(user.id), "cookie": with_csrf(_cookie(user))}
            for name, user in staff.items()
        },
        "patients": [
            {"cookie": with_csrf(_cookie(user)), "patient_id": str(user.patient_record.id)}
            for user in logins
        ],
        "sign_in": {
            "password": password,
            "patient": signer.username,
            "clinician": clinician.username,
            "totp": {
                "key": device.key,
                "step": device.step,
                "t0": device.t0,
                "digits": device.digits,
            },
        },
    }


def main(argv: list[str]) -> None:
    slug, out, patients = argv[0], Path(argv[1]), int(argv[2])
    fixtures = build(slug, patients)
    fixtures["settled"] = settle(60)
    out.write_text(json.dumps(fixtures), encoding="utf-8")
    out.chmod(0o600)


if __name__ == "__main__":
    main(sys.argv[1:])
