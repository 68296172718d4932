"""Writes of the service admin's pages (issue #13): add a patient and invite them to the app,
discharge them, create care teams and change who works in them.

Each takes the acting admin explicitly, checks they administer the service the thing belongs
to (NotFound otherwise: another service's team or patient does not exist for them), runs in one
transaction and is audited inside it. The login and its invitation are accounts' to write
(accounts.services.invite_new_user / reissue_invitation); care links the login to the patient.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from careloop.accounts.selectors import active_team_candidates
from careloop.accounts.services import IssuedInvitation, invite_new_user, reissue_invitation
from careloop.accounts.types import CARE_TEAM_ROLES, Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode
from careloop.care.services import register_patient
from careloop.care.types import EpisodeEnding, Gender
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound
from careloop.core.text import clean_free_text

if TYPE_CHECKING:
    from careloop.accounts.models import User

TEAM_NAME_MAX = 120
DISCHARGE_ENDINGS = (EpisodeEnding.COMPLETED, EpisodeEnding.DROPPED_OUT)


@dataclass(frozen=True)
class Admission:
    patient: Patient
    invitation: IssuedInvitation | None


def _service_of(admin: User) -> uuid.UUID:
    if admin.role != Role.SERVICE_ADMIN or admin.service_id is None or not admin.is_active:
        raise NotFound("service")
    return admin.service_id


def _team(admin: User, team_id: uuid.UUID) -> CareTeam:
    team = CareTeam.objects.filter(id=team_id, service_id=_service_of(admin)).first()
    if team is None:
        raise NotFound("care team")
    return team


def _patient(admin: User, patient_id: uuid.UUID) -> Patient:
    patient = (
        Patient.objects.select_for_update()
        .filter(id=patient_id, service_id=_service_of(admin), erased_at__isnull=True)
        .first()
    )
    if patient is None:
        raise NotFound("patient")
    return patient


@transaction.atomic
def admit_patient(
    *,
    actor: User,
    team_id: uuid.UUID,
    display_name: str,
    birth_year: int | None,
    gender: Gender,
    referred_on: date | None = None,
    username: str = "",
    email: str = "",
) -> Admission:
    """Register a patient in one of the admin's teams (care.services.register_patient), open
    their course of care (referred on `referred_on`, started today) and, when a user name is
    given, make their login and an invitation to the app. One transaction: a taken user name
    leaves no half-added patient."""
    team = _team(actor, team_id)
    today = clock.now().date()
    referred_on = referred_on or today
    if referred_on > today:
        raise InvalidInput("The referral date cannot be in the future.")
    patient = register_patient(
        actor=actor,
        care_team=team,
        display_name=display_name,
        birth_year=birth_year,
        gender=gender,
        source="web-admin",
    )
    TreatmentEpisode.objects.create(
        service_id=patient.service_id, patient=patient, referred_on=referred_on, started_on=today
    )
    invitation = None
    if username.strip():
        invitation = invite_new_user(
            actor=actor,
            username=username,
            role=Role.PATIENT,
            email=email,
            full_name=patient.display_name,
        )
        patient.user = invitation.user
        patient.save(update_fields=["user"])
    return Admission(patient, invitation)


@transaction.atomic
def invite_patient(
    *, actor: User, patient_id: uuid.UUID, username: str = "", email: str = ""
) -> IssuedInvitation:
    """A new invitation for a patient: a first login (a user name is then needed) for a patient
    without one, or a fresh code for one who has not accepted yet (the old code stops working)."""
    patient = _patient(actor, patient_id)
    if patient.user_id is not None:
        return reissue_invitation(actor=actor, user_id=patient.user_id)
    if not username.strip():
        raise InvalidInput("Give the patient a user name to sign in with.")
    invitation = invite_new_user(
        actor=actor,
        username=username,
        role=Role.PATIENT,
        email=email,
        full_name=patient.display_name,
    )
    patient.user = invitation.user
    patient.save(update_fields=["user"])
    return invitation


@transaction.atomic
def discharge_patient(
    *,
    actor: User,
    patient_id: uuid.UUID,
    ending: EpisodeEnding,
    ended_on: date | None = None,
    sessions_attended: int | None = None,
) -> TreatmentEpisode:
    """End the patient's open course of care as completed or dropped out, on `ended_on` (today
    if not given). Audited with the episode and the ending; the patient keeps their login (their
    own record and rights stay theirs)."""
    patient = _patient(actor, patient_id)
    if ending not in DISCHARGE_ENDINGS:
        raise InvalidInput("Choose how the course of care ended.")
    episode = (
        TreatmentEpisode.objects.select_for_update()
        .filter(patient=patient, ending=EpisodeEnding.ONGOING)
        .order_by("-started_on")
        .first()
    )
    if episode is None:
        raise Conflict("This patient has no open course of care.")
    today = clock.now().date()
    ended_on = ended_on or today
    if ended_on > today:
        raise InvalidInput("The discharge date cannot be in the future.")
    if ended_on < episode.started_on:
        raise InvalidInput("The discharge date cannot be before the course of care started.")
    if sessions_attended is not None and not 0 <= sessions_attended <= 200:
        raise InvalidInput("Give the number of attended sessions (0 to 200), or leave it empty.")
    episode.ending = ending
    episode.ended_on = ended_on
    if sessions_attended is not None:
        episode.treatment_sessions_attended = sessions_attended
    episode.save(update_fields=["ending", "ended_on", "treatment_sessions_attended"])
    record_event(
        actor=actor,
        action=AuditAction.PATIENT_DISCHARGED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.HOPERAT,
        obj=("Patient", patient.id),
        detail={"episode": str(episode.id), "ending": str(ending)},
    )
    return episode


def _audit_team(actor: User, action: AuditAction, team: CareTeam, **detail: str) -> None:
    record_event(
        actor=actor,
        action=action,
        service_id=team.service_id,
        obj=("CareTeam", team.id),
        detail={"team": str(team.id), **detail},
    )


@transaction.atomic
def create_care_team(*, actor: User, name: str) -> CareTeam:
    """A new, empty care team in the admin's service (names are unique within a service)."""
    service_id = _service_of(actor)
    name = clean_free_text(name, what="name").strip()
    if not name:
        raise InvalidInput("Give the team a name.")
    if len(name) > TEAM_NAME_MAX:
        raise InvalidInput(f"A team name has at most {TEAM_NAME_MAX} characters.")
    if CareTeam.objects.filter(service_id=service_id, name__iexact=name).exists():
        raise Conflict("There is already a team with that name.")
    try:
        with transaction.atomic():
            team = CareTeam.objects.create(service_id=service_id, name=name)
    except IntegrityError:
        raise Conflict("There is already a team with that name.") from None
    _audit_team(actor, AuditAction.CARE_TEAM_CREATED, team)
    return team


@transaction.atomic
def add_team_member(*, actor: User, team_id: uuid.UUID, user_id: uuid.UUID) -> TeamMembership:
    """Add a clinician or supervisor of the admin's service to one of its teams: they then see
    the team's patients (and its alerts reach them)."""
    team = _team(actor, team_id)
    member = active_team_candidates(team.service_id).filter(id=user_id).first()
    if member is None or member.role not in CARE_TEAM_ROLES:
        raise NotFound("clinician or supervisor")
    membership, created = TeamMembership.objects.get_or_create(
        service_id=team.service_id, team=team, user=member
    )
    if not created:
        raise Conflict("They already work in this team.")
    _audit_team(actor, AuditAction.CARE_TEAM_MEMBER_ADDED, team, user=str(member.id))
    return membership


@transaction.atomic
def remove_team_member(*, actor: User, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Take someone out of a team: from now on they no longer see its patients."""
    team = _team(actor, team_id)
    deleted, _ = TeamMembership.objects.filter(team=team, user_id=user_id).delete()
    if not deleted:
        raise NotFound("team member")
    _audit_team(actor, AuditAction.CARE_TEAM_MEMBER_REMOVED, team, user=str(user_id))
