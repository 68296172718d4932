"""The one access decision: who may see, open and change which patient record, and why.

Every decision comes from the declarative table in careloop.privacy.policy:

    (role, relationship to the patient, purpose of use, data stream) → permit / if consented / deny

- a patient sees their own record (self-access, PATRQT);
- clinicians and supervisors see the patients of their care teams for treatment (TREAT), and each
  data stream only while the patient's consent allows it (careloop.privacy.consent);
- a clinician outside the team sees one patient for 60 minutes under a break-glass grant, as
  emergency treatment (ETREAT), and every such read is audited;
- nobody else sees patient records, and an outsider gets NotFound (HTTP 404), never the data.

Consent and grants are read from the database on every call (nothing is cached in the session),
so a withdrawal or an expiry applies to every open session on its next request.

A Patient returned by `patient_visible_to` or `own_patient_record` carries the access it was
granted under; the read selectors of each stream (assessments, check-ins, safety plans, journal,
messages) ask `stream_visible`/`require_stream` before returning content. Every such read fails
closed: a Patient that no selector handed out shows nothing, unless trusted system code (a worker
job, a submission hook) says so explicitly with `for_system`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from careloop.accounts.types import Role
from careloop.care.models import CareTeam, Patient, TeamMembership
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied
from careloop.privacy import breakglass
from careloop.privacy.consent import consent_condition, stream_permitted
from careloop.privacy.policy import (
    DataStream,
    Decision,
    PolicyRole,
    PurposeOfUse,
    Relationship,
    decide,
    effective_purpose,
    write_purpose,
)

if TYPE_CHECKING:
    from careloop.accounts.models import User

_ACCESS = "_careloop_access"


@dataclass(frozen=True)
class Access:
    """Who opened this patient record, how they stand to the patient, and why."""

    user: User
    relationship: Relationship
    purpose: PurposeOfUse  # the effective purpose (ETREAT under a break-glass grant)
    grant_id: uuid.UUID | None = None


def _role(user: User) -> PolicyRole | None:
    try:
        return PolicyRole(user.role)
    except ValueError:
        return None


def teams_of(user: User) -> QuerySet[CareTeam]:
    return CareTeam.objects.filter(service=user.service_id, memberships__user=user)


def _team_relationship(user: User) -> Relationship:
    return Relationship.TEAM_SUPERVISOR if user.role == Role.SUPERVISOR else Relationship.CARE_TEAM


def _candidates(user: User) -> list[tuple[Relationship, Q]]:
    """Each relationship the user can have to patients of their service, as a condition on the
    patient's own row.

    The user's team ids and break-glass grants are read first (two small queries) and named as
    values: PostgreSQL then reads a team's patients and the granted ones by index (a BitmapOr),
    where "id in <subquery over patients>" for each relationship, OR-ed, scanned the whole patient
    table for every use (100k rows, 20-35 ms each; docs/performance.md).
    """
    if user.role == Role.PATIENT:
        return [(Relationship.SELF, Q(user=user))]
    if user.works_in_care_team:
        team_ids = list(teams_of(user).values_list("id", flat=True))
        granted_ids = list(breakglass.granted_patient_ids(user))
        in_own_teams = Q(care_team_id__in=team_ids)
        return [
            (_team_relationship(user), in_own_teams),
            (Relationship.BREAK_GLASS, Q(id__in=granted_ids) & ~in_own_teams),
            (Relationship.SAME_SERVICE, ~in_own_teams),
        ]
    return [(Relationship.SAME_SERVICE, Q())]


def patients_visible_to(
    user: User,
    purpose: PurposeOfUse = PurposeOfUse.TREAT,
    *,
    stream: DataStream = DataStream.PROFILE,
) -> QuerySet[Patient]:
    """Every patient whose `stream` `user` may read for `purpose`, within the user's service.

    Lazy in its result (callers nest it in their own queries); building it reads the user's teams
    and grants (see _candidates).
    """
    return patients_visible_per_stream(user, purpose, streams=(stream,))[stream]


def patients_visible_per_stream(
    user: User, purpose: PurposeOfUse, *, streams: tuple[DataStream, ...]
) -> dict[DataStream, QuerySet[Patient]]:
    """`patients_visible_to` for several streams at once, reading the user's teams and grants
    once (the registry needs the profile and the questionnaires stream)."""
    role = _role(user)
    if not user.is_authenticated or user.service_id is None or role is None:
        return {stream: Patient.objects.none() for stream in streams}
    candidates = _candidates(user)
    return {
        stream: _visible(user, role, candidates, purpose, stream, user.service_id)
        for stream in streams
    }


def _visible(
    user: User,
    role: PolicyRole,
    candidates: list[tuple[Relationship, Q]],
    purpose: PurposeOfUse,
    stream: DataStream,
    service_id: uuid.UUID,
) -> QuerySet[Patient]:
    allowed: list[Q] = []
    for relationship, condition in candidates:
        judged_as = effective_purpose(role, relationship, purpose)
        decision = decide(role, relationship, judged_as, stream)
        if decision == Decision.DENY:
            continue
        if decision == Decision.PERMIT_IF_CONSENTED:
            condition &= consent_condition(service_id=service_id, purpose=judged_as, stream=stream)
        allowed.append(condition)
    if not allowed:
        return Patient.objects.none()
    # An erased patient is a tombstone kept for the records under legal hold: nobody opens it.
    return Patient.objects.filter(
        reduce(or_, allowed), service_id=service_id, erased_at__isnull=True
    )


def relationship_to(
    user: User, patient: Patient, *, in_team: bool | None = None
) -> tuple[Relationship, uuid.UUID | None]:
    """How `user` stands to `patient` now, and the break-glass grant if that is the reason.

    `in_team`: whether `user` is a member of the patient's care team, when the query that just
    loaded the patient read it already (`_with_reader_membership`); otherwise it is read here.
    """
    if not user.is_authenticated or user.service_id != patient.service_id:
        return Relationship.OTHER_SERVICE, None
    if user.role == Role.PATIENT:
        is_self = patient.user_id == user.id
        return (Relationship.SELF if is_self else Relationship.SAME_SERVICE), None
    if user.works_in_care_team:
        if in_team is None:
            members = TeamMembership.objects.filter(team_id=patient.care_team_id, user=user)
            in_team = members.exists()
        if in_team:
            return _team_relationship(user), None
        grant = breakglass.active_grant(user, patient.id)
        if grant is not None:
            return Relationship.BREAK_GLASS, grant.id
    return Relationship.SAME_SERVICE, None


_READER_IN_TEAM = "careloop_reader_in_team"


def _with_reader_membership(patients: QuerySet[Patient], user: User) -> QuerySet[Patient]:
    """`patients` with whether `user` is a member of each one's care team, read in the same
    query (one round trip fewer per request than relationship_to reading it afterwards)."""
    if not user.works_in_care_team:
        return patients
    member = TeamMembership.objects.filter(team_id=OuterRef("care_team_id"), user=user)
    return patients.annotate(**{_READER_IN_TEAM: Exists(member)})


def _standing(user: User, patient: Patient) -> tuple[Relationship, uuid.UUID | None]:
    """relationship_to for a patient loaded through _with_reader_membership."""
    return relationship_to(user, patient, in_team=getattr(patient, _READER_IN_TEAM, None))


def in_care_team_of(user: User, patient: Patient) -> bool:
    """Whether `user` works in `patient`'s care team: a membership, never a break-glass grant."""
    return (
        user.works_in_care_team
        and TeamMembership.objects.filter(
            service_id=patient.service_id, team_id=patient.care_team_id, user=user
        ).exists()
    )


def _judge(
    user: User,
    patient: Patient,
    purpose: PurposeOfUse,
    stream: DataStream,
    *,
    standing: tuple[Relationship, uuid.UUID | None] | None = None,
) -> Access | None:
    """The access `user` has to `stream` of `patient` for `purpose`, or None.

    `standing` is the relationship (and grant) a selector found for this reader and patient
    earlier in the same request; without it the relationship is read now.
    """
    role = _role(user)
    if role is None:
        return None
    relationship, grant_id = standing or relationship_to(user, patient)
    judged_as = effective_purpose(role, relationship, purpose)
    decision = decide(role, relationship, judged_as, stream)
    if decision == Decision.DENY:
        return None
    if decision == Decision.PERMIT_IF_CONSENTED and not stream_permitted(
        patient_id=patient.id, service_id=patient.service_id, purpose=judged_as, stream=stream
    ):
        return None
    return Access(user, relationship, judged_as, grant_id)


def patient_visible_to(
    user: User, patient_id: uuid.UUID, purpose: PurposeOfUse = PurposeOfUse.TREAT
) -> Patient:
    """One patient `user` may open for `purpose`; NotFound if absent or not theirs to see.

    A read under a break-glass grant is audited as emergency access (DICOM 110127, ETREAT).
    """
    if not user.is_authenticated or user.service_id is None:
        raise NotFound("patient")
    patient = _with_reader_membership(
        Patient.objects.filter(
            service_id=user.service_id, id=patient_id, erased_at__isnull=True
        ).select_related("care_team"),
        user,
    ).first()
    access = None
    if patient is not None:
        standing = _standing(user, patient)
        access = _judge(user, patient, purpose, DataStream.PROFILE, standing=standing)
    if patient is None or access is None:
        raise NotFound("patient")  # same answer whether absent or forbidden
    if access.grant_id is not None:
        grant = breakglass.active_grant(user, patient.id)
        if grant is not None:
            breakglass.record_read(grant, actor=user)
    setattr(patient, _ACCESS, access)
    return patient


def own_patient_record(user: User) -> Patient:
    """The patient record of a signed-in patient."""
    if user.role != Role.PATIENT or user.service_id is None:
        raise NotFound("patient")
    patient = Patient.objects.filter(
        user=user, service=user.service_id, erased_at__isnull=True
    ).first()
    if patient is None:
        raise NotFound("patient")
    setattr(patient, _ACCESS, Access(user, Relationship.SELF, PurposeOfUse.PATRQT))
    return patient


@dataclass(frozen=True)
class SystemAccess:
    """Trusted system code acting on a patient with no reader behind it: a worker job, a
    submission hook. Never assumed from a missing access: the caller states it, and why."""

    reason: str


def for_system(patient: Patient, *, reason: str) -> Patient:
    """Mark `patient` as opened by trusted system code, so the stream reads show its data.

    Only for code that acts for the service rather than for a signed-in reader and decides its
    own scope (never with a patient a reader asked for: open that one with patient_visible_to).
    `reason` names the job, for whoever greps `for_system(` to review these exceptions.
    """
    setattr(patient, _ACCESS, SystemAccess(reason))
    return patient


def access_of(patient: Patient) -> Access | None:
    """The access a selector granted a reader for this patient object (None: no reader's)."""
    access = getattr(patient, _ACCESS, None)
    return access if isinstance(access, Access) else None


def access_purpose(patient: Patient, default: str = PurposeOfUse.TREAT) -> str:
    """The purpose to audit a read of this patient under (ETREAT under break-glass)."""
    access = access_of(patient)
    return access.purpose.value if access is not None else default


def stream_visible(patient: Patient, stream: DataStream) -> bool:
    """Whether the reader who opened `patient` may see `stream` now (consent read afresh).

    Fails closed: a Patient that no selector handed out carries no access and sees nothing.
    Trusted system code that must read a stream marks the patient with `for_system` first.
    """
    granted = getattr(patient, _ACCESS, None)
    if isinstance(granted, SystemAccess):
        return True
    if not isinstance(granted, Access):
        return False
    # The relationship was judged when the selector opened the patient in this request (one
    # membership read per request, not one per stream); consent is read again on every call.
    standing = (granted.relationship, granted.grant_id)
    return _judge(granted.user, patient, granted.purpose, stream, standing=standing) is not None


def require_stream(
    user: User,
    patient: Patient,
    stream: DataStream,
    purpose: PurposeOfUse | None = None,
) -> Access:
    """NotFound unless `user` may read `stream` of `patient` (for the purpose it was opened
    under, or `purpose`). For endpoints that show one stream only: journal, messages."""
    access = access_of(patient)
    wanted = purpose or (access.purpose if access is not None else PurposeOfUse.TREAT)
    judged = _judge(user, patient, wanted, stream)
    if judged is None:
        raise NotFound(stream.value)
    return judged


def break_glass_candidate(user: User, patient_id: uuid.UUID) -> Patient:
    """A patient `user` may open emergency access to: same service, outside the user's teams."""
    if not user.is_authenticated or not user.works_in_care_team or user.service_id is None:
        raise NotFound("patient")
    # An erased patient is a tombstone nobody opens: not even an emergency grant may name it.
    patient = Patient.objects.filter(
        service_id=user.service_id, id=patient_id, erased_at__isnull=True
    ).first()
    if patient is None:
        raise NotFound("patient")
    if TeamMembership.objects.filter(team_id=patient.care_team_id, user=user).exists():
        raise InvalidInput("You are in this patient's care team: open their record directly.")
    return patient


EMERGENCY_READ_ONLY = (
    "Emergency access is read-only. Ask the patient's care team to make this change."
)


def require_write(user: User, patient: Patient) -> Access:
    """The access `user` changes `patient`'s clinical state under; raises unless they may.

    The one write decision (privacy.policy.write_purpose), judged afresh from the relationship
    now, never from the read that opened the patient: the patient themself and their own care
    team write; a break-glass grant reads only (PermissionDenied, 403: the holder can see the
    record, so nothing is revealed); anyone else gets NotFound. Every service that changes
    clinical state for an actor calls this inside itself, so no endpoint can forget it.
    """
    role = _role(user)
    relationship, grant_id = relationship_to(user, patient)
    purpose = write_purpose(role, relationship) if role is not None else None
    if purpose is None:
        if relationship == Relationship.BREAK_GLASS:
            raise PermissionDenied(EMERGENCY_READ_ONLY)
        raise NotFound("patient")
    return Access(user, relationship, purpose, grant_id)


def may_write(user: User, patient: Patient) -> bool:
    """Whether `user` may change `patient`'s record (to hide buttons that would be refused)."""
    role = _role(user)
    relationship, _grant = relationship_to(user, patient)
    return role is not None and write_purpose(role, relationship) is not None


def require_write_access(patient: Patient) -> None:
    """Early refusal in a view for a patient a selector handed out (the service checks again).

    Emergency (break-glass) access is read-only: the clinician can see the record and raise an
    alert for the care team, and the care team makes the changes.
    """
    access = access_of(patient)
    if access is not None:
        require_write(access.user, patient)


def stream_readable(
    user: User,
    patient_id: uuid.UUID,
    stream: DataStream,
    purpose: PurposeOfUse = PurposeOfUse.TREAT,
) -> bool:
    """Whether `user` may read `stream` of this one patient now; records nothing.

    The same decision as patients_visible_to, judged for one patient: a search that names its
    patient asks this instead of building the team-wide subquery (docs/performance.md).
    """
    if not user.is_authenticated or user.service_id is None:
        return False
    patient = _with_reader_membership(
        Patient.objects.filter(service_id=user.service_id, id=patient_id, erased_at__isnull=True),
        user,
    ).first()
    if patient is None:
        return False
    return _judge(user, patient, purpose, stream, standing=_standing(user, patient)) is not None
