"""The demo service: a few named personas to sign in as, and a small synthetic caseload.

Idempotent: running it again finds what exists and only (re)sets the demo passwords.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction

from careloop.accounts import mfa
from careloop.accounts.models import User
from careloop.accounts.types import Role
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode
from careloop.care.types import EpisodeEnding, Gender
from careloop.core import clock
from careloop.core.models import Service
from careloop.monitoring.services import PlanItemChange, change_plan_item, ensure_default_plan
from careloop.privacy.models import ConsentDecision
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from careloop.seed.loader import ensure_teams, load_population
from careloop.seed.population import PopulationSpec

DEMO_SLUG = "demo"
# Synthetic demo service only, printed to the operator; `seed --demo` refuses in production.
DEMO_PASSWORD = "careloop-demo"  # noqa: S105
DEMO_PATIENTS = 36
TEAM_NAMES = ["Team North", "Team South"]


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    role: Role
    team: int | None  # index into TEAM_NAMES
    about: str


PERSONAS = (
    Persona("ada", "Ada", Role.PATIENT, 0, "patient in Team North; a PHQ-9 is due"),
    Persona("ben", "Ben", Role.CLINICIAN, 0, "care manager in Team North (Ada's clinician)"),
    Persona("sam", "Sam", Role.SUPERVISOR, 0, "psychiatric consultant supervising Team North"),
    Persona("dana", "Dana", Role.CLINICIAN, 1, "care manager in Team South (an outsider to Ada)"),
    Persona("cleo", "Cleo", Role.SERVICE_ADMIN, None, "service admin"),
    Persona("rae", "Rae", Role.RESEARCHER, None, "researcher"),
)


@dataclass(frozen=True)
class DemoLogin:
    persona: Persona
    needs_mfa: bool


def _persona_user(service: Service, persona: Persona, teams: list[CareTeam]) -> User:
    user, _ = User.objects.get_or_create(
        username=persona.username,
        defaults={
            "role": persona.role,
            "service": service,
            "first_name": persona.first_name,
            # .invalid is reserved (RFC 2606): demo mail can never reach a real inbox.
            "email": f"{persona.username}@demo.careloop.invalid",
        },
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    if user.is_staff_role and mfa.confirmed_device(user) is None:
        mfa.enrol_confirmed_device(user)
    if persona.team is not None and persona.role != Role.PATIENT:
        TeamMembership.objects.get_or_create(service=service, team=teams[persona.team], user=user)
    return user


def _ada_record(service: Service, user: User, team: CareTeam) -> None:
    """Ada has two earlier PHQ-9/GAD-7 pairs, the last one 8 days ago, so both are due today."""
    if Patient.objects.filter(user=user).exists():
        return
    now = clock.now()
    patient = Patient.objects.create(
        service=service,
        user=user,
        care_team=team,
        display_name="Ada (demo)",
        birth_year=1990,
        gender=Gender.FEMALE,
        preferred_language="en",
        time_zone=service.time_zone,
        deprivation_quintile=3,
    )
    TreatmentEpisode.objects.create(
        service=service,
        patient=patient,
        referred_on=(now - timedelta(days=21)).date(),
        started_on=(now - timedelta(days=15)).date(),
        ending=EpisodeEnding.ONGOING,
    )
    history = {
        15: ([2, 2, 2, 1, 2, 1, 1, 1, 0], [2, 2, 2, 1, 1, 1, 1]),
        8: ([2, 1, 2, 1, 1, 1, 1, 0, 0], [2, 1, 2, 1, 1, 1, 0]),
    }
    for days_ago, (phq9, gad7) in history.items():
        for instrument_id, answers in (("phq9", phq9), ("gad7", gad7)):
            submit_assessment(
                patient,
                actor=user,
                instrument_id=instrument_id,
                answers=list(answers),
                client_id=uuid.uuid4(),
                source=SubmissionSource.SEED,
                completed_at=now - timedelta(days=days_ago),
            )


def _ada_consents(service: Service, user: User) -> None:
    """Ada shares her journal with her team and has agreed to research on her questionnaires, so
    the privacy pages, the research extract and Ben's journal view all have something to show."""
    publish_default_documents(service.id)
    patient = Patient.objects.get(user=user)
    if ConsentDecision.objects.filter(patient_id=patient.id).exists():
        return
    for purpose, stream in (
        (PurposeOfUse.TREAT, DataStream.JOURNAL),
        (PurposeOfUse.HRESCH, DataStream.QUESTIONNAIRES),
    ):
        decide(actor=user, patient=patient, purpose=purpose, stream=stream, choice=Choice.GIVEN)


@transaction.atomic
def _questionnaire_only_plans(service: Service) -> None:
    """The synthetic patients answer questionnaires only: the generator simulates no daily mood
    check-ins. Their stored plans leave the check-in off, or the registry would flag every one
    of them with weeks of "missed" check-ins that were never asked of them."""
    check_in_off = PlanItemChange(every_days=1, overdue_after_days=0, active=False)
    clinicians = {
        m.team_id: m.user
        for m in TeamMembership.objects.filter(service=service).select_related("user")
        if m.user.works_in_care_team
    }
    for patient in Patient.objects.filter(service=service, user__isnull=True):
        clinician = clinicians.get(patient.care_team_id)
        if clinician is not None:  # the plan is the team's decision, audited as theirs
            ensure_default_plan(patient, actor=clinician)
            change_plan_item(patient, actor=clinician, measure="checkin", change=check_in_off)


def seed_demo() -> list[DemoLogin]:
    """Create (or refresh) the demo service; return the logins to print."""
    service, created = Service.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={"name": "Careloop demo service", "is_demo": True, "country_code": "GB"},
    )
    teams = ensure_teams(service, len(TEAM_NAMES), TEAM_NAMES)
    users = {p.username: _persona_user(service, p, teams) for p in PERSONAS}
    _ada_record(service, users["ada"], teams[0])
    _ada_consents(service, users["ada"])
    if created:
        spec = PopulationSpec(
            patients=DEMO_PATIENTS,
            weeks=12,
            seed=2026,
            end_date=clock.now().date(),
            teams_per_service=len(teams),
        )
        load_population(spec, service, teams)
        _questionnaire_only_plans(service)
    return [DemoLogin(p, users[p.username].is_staff_role) for p in PERSONAS]
