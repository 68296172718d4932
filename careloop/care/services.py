"""Writes of care records: registering a patient (used by the FHIR import), and the contact
details a patient keeps up to date themself."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from careloop.accounts.services import lock_user, set_contact_channels
from careloop.accounts.types import Role
from careloop.audit.services import Actor, record_event
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.models import (
    CareTeam,
    Patient,
    SteppedCareChange,
    TeamMembership,
    TreatmentEpisode,
)
from careloop.care.selectors.access import require_write
from careloop.care.selectors.stepped_care import StepChange
from careloop.care.types import REASON_MAX_CHARS, CareStep, EpisodeEnding, Gender
from careloop.core import clock
from careloop.core.bulk import write_rows
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied
from careloop.core.ids import uuid7
from careloop.core.text import clean_free_text

if TYPE_CHECKING:
    from careloop.accounts.models import User

# E.164: "+", a country code that does not start with 0, at most 15 digits in all.
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
# A BCP-47 tag's shape (language, then subtags), e.g. "en", "es-419", "pt-BR", "zh-Hant-TW".
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_EMAIL_MAX = 254  # RFC 5321 path limit; also the User.email column
_LANGUAGE_MAX = 16  # the Patient.preferred_language column


@transaction.atomic
def register_patient(
    *,
    actor: Actor | None,
    care_team: CareTeam,
    display_name: str,
    birth_year: int | None,
    gender: Gender,
    source: str,
    patient_id: uuid.UUID | None = None,
) -> Patient:
    """Add a patient (without a login) to `care_team`'s service; audited, never named in logs.

    `source` says where the record came from (e.g. "fhir-import"); it goes into the audit event.
    """
    display_name = display_name.strip()
    if not display_name:
        raise InvalidInput("a patient needs a display name")
    if birth_year is not None and not 1900 <= birth_year <= clock.now().year:
        raise InvalidInput(f"birth year {birth_year} is out of range")
    patient = Patient.objects.create(
        id=patient_id or uuid7(),
        service_id=care_team.service_id,
        care_team=care_team,
        display_name=display_name[:120],
        birth_year=birth_year,
        gender=gender,
    )
    record_event(
        actor=actor,
        action=AuditAction.PATIENT_REGISTERED,
        service_id=patient.service_id,
        patient_id=patient.id,
        purpose=PurposeOfUse.HOPERAT,
        obj=("Patient", patient.id),
        detail={"source": source},
    )
    return patient


def _checked_contact_details(phone: str, email: str, language: str) -> tuple[str, str, str]:
    """Each value stripped and checked; an empty value means "none"."""
    phone, email, language = phone.strip(), email.strip(), language.strip()
    if phone and not _E164.match(phone):
        raise InvalidInput("phone: give the number in international form, e.g. +447700900123")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput("email: not a valid e-mail address") from None
        if len(email) > _EMAIL_MAX:
            raise InvalidInput(f"email: at most {_EMAIL_MAX} characters")
    if language and (len(language) > _LANGUAGE_MAX or not _LANGUAGE_TAG.match(language)):
        raise InvalidInput("language: a BCP-47 language tag, e.g. en or es-419")
    return phone, email, language


@transaction.atomic
def update_contact_details(
    actor: User, patient: Patient, *, phone: str, email: str, language: str
) -> list[str]:
    """The patient changes how Careloop reaches them: phone (SMS), e-mail, preferred language.

    Only the patient themself may (staff do not edit a patient's own contact details). Every
    value is replaced: an empty one clears it (an empty language means "no preference": the
    service's default is used). Returns the names of the fields that changed; a change is
    audited with those names only, never the values.
    """
    if patient.user_id is None or patient.user_id != actor.id:
        raise PermissionDenied("only the patient can change their own contact details")
    phone, email, language = _checked_contact_details(phone, email, language)
    locked_patient = Patient.objects.select_for_update().get(id=patient.id)
    # The login's channels are accounts' to write; it locks that row after this one, as before.
    changed = set_contact_channels(patient.user_id, phone=phone, email=email)
    if locked_patient.preferred_language != language:
        changed.append("language")
    if not changed:
        return []
    if "language" in changed:
        locked_patient.preferred_language = language
        locked_patient.save(update_fields=["preferred_language"])
    patient.preferred_language = language
    record_event(
        actor=actor,
        action=AuditAction.CONTACT_DETAILS_UPDATED,
        service_id=locked_patient.service_id,
        patient_id=locked_patient.id,
        purpose=PurposeOfUse.PATRQT,
        obj=("Patient", locked_patient.id),
        detail={"changed": changed},
    )
    return changed


@transaction.atomic
def set_preferred_language(actor: User, patient: Patient, language: str) -> bool:
    """The patient picks the language Careloop speaks to them in (the header's language picker).

    Only the patient themself. `language` is a BCP-47 tag (the picker sends a shipped language's
    code). Returns whether it changed; a change is audited like any contact-detail change, with
    the field's name only.
    """
    if patient.user_id is None or patient.user_id != actor.id:
        raise PermissionDenied("only the patient can change their own language")
    _, _, language = _checked_contact_details("", "", language)
    if not language:
        raise InvalidInput("language: a BCP-47 language tag, e.g. en or es-419")
    locked = Patient.objects.select_for_update().get(id=patient.id)
    if locked.preferred_language == language:
        patient.preferred_language = language
        return False
    locked.preferred_language = language
    locked.save(update_fields=["preferred_language"])
    patient.preferred_language = language
    record_event(
        actor=actor,
        action=AuditAction.CONTACT_DETAILS_UPDATED,
        service_id=locked.service_id,
        patient_id=locked.id,
        purpose=PurposeOfUse.PATRQT,
        obj=("Patient", locked.id),
        detail={"changed": ["language"]},
    )
    return True


def lock_contact_rows(patient: Patient) -> Patient:
    """Inside the caller's transaction: lock the patient's row and their login's, and return the
    patient with `.user` the locked login (to check the version read before
    update_contact_details). PostgreSQL refuses FOR UPDATE across the outer join select_related
    would make on the nullable user link, so two plain locks."""
    locked = Patient.objects.select_for_update().get(id=patient.id)
    assert locked.user_id is not None, "a patient without a login has no contact details"
    locked.user = lock_user(locked.user_id)
    return locked


def ensure_care_team(service_id: uuid.UUID, name: str) -> CareTeam:
    """The service's care team of this name, created empty if there is none (an operator's
    FHIR import files its patients into one)."""
    team, _ = CareTeam.objects.get_or_create(service_id=service_id, name=name)
    return team


# Writes for the demo and synthetic-population loaders (careloop.seed) only: synthetic data,
# created without audit events (nothing real happened), on a fast path for bulk loads.


def ensure_team_membership_for_seed(service_id: uuid.UUID, team: CareTeam, user: User) -> None:
    TeamMembership.objects.get_or_create(service_id=service_id, team=team, user=user)


def new_patient_for_seed(**fields: Any) -> Patient:
    """An unsaved patient (defaults applied) for bulk_create_patients_for_seed."""
    return Patient(**fields)


def new_episode_for_seed(**fields: Any) -> TreatmentEpisode:
    """An unsaved treatment episode (defaults applied) for bulk_create_episodes_for_seed."""
    return TreatmentEpisode(**fields)


def bulk_create_patients_for_seed(rows: Sequence[Patient]) -> None:
    write_rows(Patient, rows)


def bulk_create_episodes_for_seed(rows: Sequence[TreatmentEpisode]) -> None:
    write_rows(TreatmentEpisode, rows)


def create_patient_for_seed(**fields: Any) -> Patient:
    return Patient.objects.create(**fields)


def create_episode_for_seed(**fields: Any) -> TreatmentEpisode:
    return TreatmentEpisode.objects.create(**fields)


# --- Stepped care --------------------------------------------------------------------------------


def _current_step(episode: TreatmentEpisode) -> int | None:
    latest = (
        SteppedCareChange.objects.filter(episode=episode)
        .order_by("-changed_at", "-id")
        .values_list("to_step", flat=True)
        .first()
    )
    return latest


@transaction.atomic
def change_step(actor: User, episode: TreatmentEpisode, step: int, reason: str) -> StepChange:
    """Move an ongoing treatment episode to another stepped-care level (the one write path).

    Who: a clinician of the patient's care team or the team's supervisor (care.selectors
    require_write: emergency access reads only, anyone else gets NotFound). Validated: a known
    step, a reason in words (at most REASON_MAX_CHARS, stored encrypted), an ongoing episode, a
    step other than the current one. The episode row is locked so two changes cannot both read
    the same "from" step. Audited (care.step_changed, the steps only, never the reason).
    """
    locked = (
        TreatmentEpisode.objects.select_for_update().select_related("patient").get(id=episode.id)
    )
    patient = locked.patient
    if patient.erased_at is not None:
        raise NotFound("patient")
    access = require_write(actor, patient)
    if actor.role not in (Role.CLINICIAN, Role.SUPERVISOR):
        raise PermissionDenied("Only the care team's clinicians and supervisors change the step.")
    try:
        to_step = CareStep(int(step))
    except (TypeError, ValueError):
        raise InvalidInput("step: choose one of the four steps") from None
    text = clean_free_text(reason, what="reason")
    if not text:
        raise InvalidInput("reason: say why the step changes")
    if len(text) > REASON_MAX_CHARS:
        raise InvalidInput(f"reason: at most {REASON_MAX_CHARS} characters")
    if locked.ending != EpisodeEnding.ONGOING:
        raise InvalidInput("This course of care has ended: its step can no longer change.")
    from_step = _current_step(locked)
    if from_step == to_step:
        raise InvalidInput(f"step: the episode is already at {to_step.label}")
    row = SteppedCareChange.objects.create(
        service_id=locked.service_id,
        patient=patient,
        episode=locked,
        from_step=from_step,
        to_step=to_step,
        reason=text,
        changed_by=actor,
        changed_at=clock.now(),
    )
    record_event(
        actor=actor,
        action=AuditAction.CARE_STEP_CHANGED,
        service_id=locked.service_id,
        patient_id=patient.id,
        purpose=access.purpose,
        obj=("TreatmentEpisode", locked.id),
        detail={"from_step": from_step, "to_step": int(to_step), "change": str(row.id)},
    )
    return StepChange(
        id=row.id,
        episode_id=locked.id,
        from_step=CareStep(from_step) if from_step is not None else None,
        to_step=to_step,
        reason=text,
        changed_by_name=actor.get_full_name() or actor.get_username(),
        changed_at=row.changed_at,
    )


def create_step_change_for_seed(**fields: Any) -> None:
    """A step change for the synthetic population (no audit event: nothing real happened)."""
    SteppedCareChange.objects.create(**fields)
