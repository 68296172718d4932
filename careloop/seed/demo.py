"""The demo service: a few named personas to sign in as, and a small synthetic caseload.

Idempotent: running it again finds what exists and only (re)sets the demo passwords.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from careloop.accounts import mfa
from careloop.accounts.services import ensure_user_for_seed, set_password_for_seed
from careloop.accounts.types import Role
from careloop.ai.services.demo import install_demo_model_for_seed
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.care.selectors import (
    patient_of_user_for_seed,
    patients_without_login_for_seed,
    team_clinicians_for_seed,
)
from careloop.care.services import (
    create_episode_for_seed,
    create_patient_for_seed,
    ensure_team_membership_for_seed,
)
from careloop.care.types import EpisodeEnding, Gender
from careloop.core import clock
from careloop.core.services import ensure_service_for_seed
from careloop.monitoring.services import PlanItemChange, change_plan_item, ensure_default_plan
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.selectors import has_consent_decisions
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice
from careloop.seed.demo_supervision import seed_demo_supervision
from careloop.seed.loader import ensure_teams, load_population
from careloop.seed.population import PopulationSpec

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import CareTeam
    from careloop.core.models import Service

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
    user, _ = ensure_user_for_seed(
        persona.username,
        defaults={
            "role": persona.role,
            "service": service,
            "first_name": persona.first_name,
            # .invalid is reserved (RFC 2606): demo mail can never reach a real inbox.
            "email": f"{persona.username}@demo.careloop.invalid",
        },
    )
    set_password_for_seed(user, DEMO_PASSWORD)
    if user.is_staff_role and mfa.confirmed_device(user) is None:
        mfa.enrol_confirmed_device(user)
    if persona.team is not None and persona.role != Role.PATIENT:
        ensure_team_membership_for_seed(service.id, teams[persona.team], user)
    return user


def _ada_record(service: Service, user: User, team: CareTeam) -> None:
    """Ada has two earlier PHQ-9/GAD-7 pairs, the last one 8 days ago, so both are due today."""
    if patient_of_user_for_seed(user) is not None:
        return
    now = clock.now()
    patient = create_patient_for_seed(
        service=service,
        user=user,
        care_team=team,
        display_name="Ada (demo)",
        birth_year=1990,
        gender=Gender.FEMALE,
        time_zone=service.time_zone,
        deprivation_quintile=3,
    )
    create_episode_for_seed(
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
    patient = patient_of_user_for_seed(user)
    assert patient is not None  # _ada_record ran first
    if has_consent_decisions(patient.id):
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
    clinicians = team_clinicians_for_seed(service.id)
    for patient in patients_without_login_for_seed(service.id):
        clinician = clinicians.get(patient.care_team_id)
        if clinician is not None:  # the plan is the team's decision, audited as theirs
            ensure_default_plan(patient, actor=clinician)
            change_plan_item(patient, actor=clinician, measure="checkin", change=check_in_off)


def seed_demo() -> list[DemoLogin]:
    """Create (or refresh) the demo service; return the logins to print."""
    service, created = ensure_service_for_seed(
        DEMO_SLUG,
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
    seed_demo_supervision(service, users)  # safe to run again: it adds only what is missing
    install_demo_model_for_seed(users["sam"])  # the synthetic early-warning model, switched on
    return [DemoLogin(p, users[p.username].is_staff_role) for p in PERSONAS]
