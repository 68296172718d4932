"""Reads of patients, with access built in: the one place that decides who may see whom.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from careloop.accounts.selectors import users_with_ids
from careloop.accounts.types import CARE_TEAM_ROLES, Role
from careloop.care.models import CareTeam, Patient, TeamMembership, TreatmentEpisode
from careloop.care.types import EpisodeEnding
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied
from careloop.privacy import breakglass
from careloop.privacy.consent import consented_patient_ids, decisions_of_patients, stream_permitted
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
    from careloop.privacy.models import ConsentDecision

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


def _candidates(user: User, service_id: uuid.UUID) -> list[tuple[Relationship, QuerySet[Patient]]]:
    """Each relationship the user can have to patients of their service, with those patients."""
    # An erased patient is a tombstone kept for the records under legal hold: nobody opens it.
    scoped = Patient.objects.filter(service_id=service_id, erased_at__isnull=True)
    if user.role == Role.PATIENT:
        return [(Relationship.SELF, scoped.filter(user=user))]
    if user.works_in_care_team:
        own_teams = scoped.filter(care_team__in=teams_of(user).values("id"))
        granted = scoped.filter(id__in=breakglass.granted_patient_ids(user)).exclude(
            care_team__in=teams_of(user).values("id")
        )
        others = scoped.exclude(care_team__in=teams_of(user).values("id"))
        return [
            (_team_relationship(user), own_teams),
            (Relationship.BREAK_GLASS, granted),
            (Relationship.SAME_SERVICE, others),
        ]
    return [(Relationship.SAME_SERVICE, scoped)]


def patients_visible_to(
    user: User,
    purpose: PurposeOfUse = PurposeOfUse.TREAT,
    *,
    stream: DataStream = DataStream.PROFILE,
) -> QuerySet[Patient]:
    """Every patient whose `stream` `user` may read for `purpose`, within the user's service.

    Lazy: building it runs no SQL, so callers may nest it in their own queries.
    """
    role = _role(user)
    if not user.is_authenticated or user.service_id is None or role is None:
        return Patient.objects.none()
    allowed: list[QuerySet[Patient]] = []
    for relationship, candidates in _candidates(user, user.service_id):
        judged_as = effective_purpose(role, relationship, purpose)
        decision = decide(role, relationship, judged_as, stream)
        if decision == Decision.DENY:
            continue
        if decision == Decision.PERMIT_IF_CONSENTED:
            candidates = candidates.filter(
                id__in=consented_patient_ids(
                    service_id=user.service_id, purpose=judged_as, stream=stream
                )
            )
        allowed.append(candidates)
    if not allowed:
        return Patient.objects.none()
    if len(allowed) == 1:
        return allowed[0]
    either = reduce(or_, (Q(id__in=part.values("id")) for part in allowed))
    return Patient.objects.filter(either, service_id=user.service_id)


def relationship_to(user: User, patient: Patient) -> tuple[Relationship, uuid.UUID | None]:
    """How `user` stands to `patient` now, and the break-glass grant if that is the reason."""
    if not user.is_authenticated or user.service_id != patient.service_id:
        return Relationship.OTHER_SERVICE, None
    if user.role == Role.PATIENT:
        is_self = patient.user_id == user.id
        return (Relationship.SELF if is_self else Relationship.SAME_SERVICE), None
    if user.works_in_care_team:
        if TeamMembership.objects.filter(team_id=patient.care_team_id, user=user).exists():
            return _team_relationship(user), None
        grant = breakglass.active_grant(user, patient.id)
        if grant is not None:
            return Relationship.BREAK_GLASS, grant.id
    return Relationship.SAME_SERVICE, None


def in_care_team_of(user: User, patient: Patient) -> bool:
    """Whether `user` works in `patient`'s care team: a membership, never a break-glass grant."""
    return (
        user.works_in_care_team
        and TeamMembership.objects.filter(
            service_id=patient.service_id, team_id=patient.care_team_id, user=user
        ).exists()
    )


def _judge(
    user: User, patient: Patient, purpose: PurposeOfUse, stream: DataStream
) -> Access | None:
    """The access `user` has to `stream` of `patient` for `purpose`, or None."""
    role = _role(user)
    if role is None:
        return None
    relationship, grant_id = relationship_to(user, patient)
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
    patient = (
        Patient.objects.filter(service_id=user.service_id, id=patient_id, erased_at__isnull=True)
        .select_related("care_team")
        .first()
    )
    access = _judge(user, patient, purpose, DataStream.PROFILE) if patient else None
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
    return _judge(granted.user, patient, granted.purpose, stream) is not None


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
    patient = Patient.objects.filter(
        service_id=user.service_id, id=patient_id, erased_at__isnull=True
    ).first()
    return patient is not None and _judge(user, patient, purpose, stream) is not None


# --- Treatment episodes ------------------------------------------------------------------------
# Episodes say nothing clinical on their own (dates, ending, sessions attended): these reads take a
# patient a selector handed out, or are a trusted system read named so (reports, worker jobs).

ENDED_EPISODE_ENDINGS = (EpisodeEnding.COMPLETED, EpisodeEnding.DROPPED_OUT)


def open_episode(patient: Patient) -> TreatmentEpisode | None:
    """The patient's open (ongoing) treatment episode, the latest started if several, or None.
    `patient` must come from a selector; a new submission, check-in or plan is filed under it."""
    return (
        TreatmentEpisode.objects.filter(
            service_id=patient.service_id, patient=patient, ending=EpisodeEnding.ONGOING
        )
        .order_by("-started_on")
        .first()
    )


def episodes_of(patient: Patient) -> list[TreatmentEpisode]:
    """A patient's treatment episodes, oldest first. `patient` must come from a selector (or
    `for_system`): none otherwise (fails closed, as stream_visible)."""
    if not stream_visible(patient, DataStream.PROFILE):
        return []
    return list(
        TreatmentEpisode.objects.filter(service_id=patient.service_id, patient=patient).order_by(
            "started_on", "id"
        )
    )


def in_care_ids(patient_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Who is still in care: an ongoing episode, or no episode recorded yet (one query).

    After discharge nothing is due and nothing is missed: the registry must not chase people
    who finished or left treatment (reminders follow the same rule). The ids come from patients
    the caller already holds (a selector's, or a worker's own rows).
    """
    episodes: dict[uuid.UUID, set[str]] = {}
    rows = TreatmentEpisode.objects.filter(patient_id__in=patient_ids)
    for patient_id, ending in rows.values_list("patient_id", "ending"):
        episodes.setdefault(patient_id, set()).add(ending)
    return {
        patient_id
        for patient_id in patient_ids
        if patient_id not in episodes or EpisodeEnding.ONGOING in episodes[patient_id]
    }


def patients_who_can_sign_in_for_system() -> QuerySet[Patient]:
    """System read for worker jobs (every service): patients with an active patient login."""
    return Patient.objects.filter(user__isnull=False, user__is_active=True, user__role=Role.PATIENT)


def with_current_episode(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    """`patients` (already visible to the reader) annotated with their latest-started episode:
    `current_episode_id` and `current_episode_ending` (None when no episode is recorded)."""
    current = TreatmentEpisode.objects.filter(
        service_id=OuterRef("service_id"), patient_id=OuterRef("pk")
    ).order_by("-started_on")
    return patients.annotate(
        current_episode_id=Subquery(current.values("id")[:1]),
        current_episode_ending=Subquery(current.values("ending")[:1]),
    )


def _ended_episodes(
    service_id: uuid.UUID, ended_from: date | None, ended_to: date | None
) -> QuerySet[TreatmentEpisode]:
    condition = Q(ending__in=ENDED_EPISODE_ENDINGS)
    if ended_from is not None:
        condition &= Q(ended_on__gte=ended_from)
    if ended_to is not None:
        condition &= Q(ended_on__lte=ended_to)
    return TreatmentEpisode.objects.filter(condition, service_id=service_id)


def ended_episode_pages_for_system(
    service_id: uuid.UUID,
    *,
    ended_from: date | None = None,
    ended_to: date | None = None,
    page_size: int,
) -> Iterator[list[tuple[uuid.UUID, int | None, str]]]:
    """System read for service reports (no reader: aggregated before anyone sees it): the
    service's ended episodes as (id, recorded sessions, patient time zone), a page at a time,
    by id (keyset pagination, so memory holds one page)."""
    episodes = (
        _ended_episodes(service_id, ended_from, ended_to)
        .order_by("id")
        .values_list("id", "treatment_sessions_attended", "patient__time_zone")
    )
    after: uuid.UUID | None = None
    while True:
        page = list((episodes if after is None else episodes.filter(id__gt=after))[:page_size])
        if not page:
            return
        yield page
        after = page[-1][0]


def count_ended_episodes_for_system(
    service_id: uuid.UUID,
    *,
    ended_from: date | None = None,
    ended_to: date | None = None,
    excluding: Exists | None = None,
) -> tuple[int, int]:
    """System read for service reports: (ended, of which finished by recorded sessions, i.e. at
    least two) among the service's ended episodes, leaving out those `excluding` matches (an
    Exists correlated to the episode's `pk`, from the domain that owns the condition)."""
    episodes = _ended_episodes(service_id, ended_from, ended_to)
    if excluding is not None:
        episodes = episodes.exclude(excluding)
    counts = episodes.aggregate(
        ended=Count("id"), finished=Count("id", filter=Q(treatment_sessions_attended__gte=2))
    )
    return counts["ended"], counts["finished"]


# System reads for analytics (service reports, research extracts). The caller decides who is in
# them (a report is aggregated; an extract holds only patients consenting to research, checked
# through privacy.consent) and audits the release.


def referral_count_for_system(
    service_id: uuid.UUID, *, referred_from: date | None, referred_to: date | None
) -> int:
    """Episodes referred in the period (all of them without a period): one COUNT query."""
    episodes = TreatmentEpisode.objects.filter(service_id=service_id)
    if referred_from is not None:
        episodes = episodes.filter(referred_on__gte=referred_from)
    if referred_to is not None:
        episodes = episodes.filter(referred_on__lte=referred_to)
    return episodes.count()


def research_demographics_for_system(patient_ids: Iterable[uuid.UUID]) -> QuerySet[Patient]:
    """These patients (never an erased one), loaded with only the research quasi-identifiers:
    birth year, gender, ethnicity and deprivation quintile."""
    return Patient.objects.filter(id__in=patient_ids, erased_at__isnull=True).only(
        "id", "birth_year", "gender", "ethnicity", "deprivation_quintile"
    )


def first_episode_starts_for_system(patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, date]:
    """When each of these patients' first course of care started (absent when none)."""
    starts: dict[uuid.UUID, date] = {}
    episodes = TreatmentEpisode.objects.filter(patient_id__in=patient_ids).order_by("started_on")
    for patient_id, started in episodes.values_list("patient_id", "started_on"):
        starts.setdefault(patient_id, started)
    return starts


# ------------------------------------------------- care teams, their staff, consent decisions


def care_teams_visible_to(user: User) -> QuerySet[CareTeam]:
    """The teams `user` works in, and the teams of the patients `user` may see; nothing for a
    user outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return CareTeam.objects.none()
    return CareTeam.objects.filter(
        Q(memberships__user=user) | Q(patients__in=patients_visible_to(user)),
        service_id=user.service_id,
    ).distinct()


def with_care_team_staff(teams: QuerySet[CareTeam]) -> QuerySet[CareTeam]:
    """`teams` (from care_teams_visible_to) with their clinicians' and supervisors' memberships
    prefetched, each with its user."""
    members = TeamMembership.objects.filter(user__role__in=CARE_TEAM_ROLES).select_related("user")
    return teams.prefetch_related(Prefetch("memberships", queryset=members))


def practitioners_visible_to(user: User) -> QuerySet[User]:
    """Clinicians and supervisors of the care teams `user` may see (none outside a service)."""
    if not user.is_authenticated or user.service_id is None:
        return users_with_ids([])
    staff = TeamMembership.objects.filter(
        team__in=care_teams_visible_to(user), user__role__in=CARE_TEAM_ROLES
    ).values("user_id")
    return users_with_ids(staff).filter(service_id=user.service_id)


def consent_decisions_visible_to(user: User) -> QuerySet[ConsentDecision]:
    """Consent decisions of the patients `user` may see (the patient, their care team); none
    outside a service (fails closed)."""
    if not user.is_authenticated or user.service_id is None:
        return decisions_of_patients(service_id=None, patients=Patient.objects.none())
    return decisions_of_patients(service_id=user.service_id, patients=patients_visible_to(user))


def own_patient_id(user: User) -> uuid.UUID | None:
    """The id of the patient record `user` signs in for, if any (to tell a patient's reads of
    their own record from a clinician's, e.g. the purpose an audit event names)."""
    return Patient.objects.filter(user=user).values_list("id", flat=True).first()


def patient_in_service_for_system(service_id: uuid.UUID, patient_id: uuid.UUID) -> Patient:
    """System read for an operator's FHIR import (no reader): the patient an earlier import of
    the same source identity filed in this service. Raises Patient.DoesNotExist if absent."""
    return Patient.objects.get(service_id=service_id, id=patient_id)


# ------------------------------------------ bulk $export (a worker job acting for a system client)


def unerased_patient_ids_for_system(
    service_id: uuid.UUID, among: QuerySet[Any, Any]
) -> QuerySet[Any, uuid.UUID]:
    """System read for the bulk export job: the ids of the service's patients in `among` (the
    consent subquery the job built) that are not erased; lazy, so it nests as a subquery."""
    return Patient.objects.filter(
        service_id=service_id, erased_at__isnull=True, id__in=among
    ).values_list("id", flat=True)


def patients_with_ids_for_system(patient_ids: Iterable[uuid.UUID]) -> QuerySet[Patient]:
    """System read for the bulk export job: these patients (ids it has already chosen)."""
    return Patient.objects.filter(id__in=patient_ids)


def teams_of_patients_for_system(
    service_id: uuid.UUID, patient_ids: QuerySet[Any, uuid.UUID]
) -> QuerySet[CareTeam]:
    """System read for the bulk export job: the service's teams caring for these patients."""
    return CareTeam.objects.filter(service_id=service_id, patients__id__in=patient_ids).distinct()


def team_staff_for_system(teams: QuerySet[CareTeam]) -> QuerySet[Any, tuple[Any, Any, Any]]:
    """System read for the bulk export job: (team id, user id, role) of each clinician and
    supervisor of these teams."""
    return TeamMembership.objects.filter(
        team__in=teams, user__role__in=CARE_TEAM_ROLES
    ).values_list("team_id", "user_id", "user__role")


def staff_of_teams_for_system(service_id: uuid.UUID, teams: QuerySet[CareTeam]) -> QuerySet[User]:
    """System read for the bulk export job: the service's clinicians and supervisors of these
    teams (each once)."""
    members = TeamMembership.objects.filter(team__in=teams, user__role__in=CARE_TEAM_ROLES)
    return users_with_ids(members.values("user_id")).filter(service_id=service_id)


# Reads for the demo and synthetic-population loaders (careloop.seed) only.


def team_clinicians_for_seed(service_id: uuid.UUID) -> dict[uuid.UUID, User]:
    """One care-team clinician or supervisor per team of the service (the last listed)."""
    return {
        m.team_id: m.user
        for m in TeamMembership.objects.filter(service_id=service_id).select_related("user")
        if m.user.works_in_care_team
    }


def patient_of_user_for_seed(user: User) -> Patient | None:
    """The patient record of a login, in any state (the demo loader's idempotence check)."""
    return Patient.objects.filter(user=user).first()


def patients_without_login_for_seed(service_id: uuid.UUID) -> QuerySet[Patient]:
    """The service's synthetic patients (no login of their own)."""
    return Patient.objects.filter(service_id=service_id, user__isnull=True)


def population_rows_for_seed(service_id: uuid.UUID) -> list[QuerySet[Any, Any]]:
    """The service's patients and episodes as value rows in id order (for the load digest)."""
    return [
        Patient.objects.filter(service_id=service_id)
        .order_by("id")
        .values_list(
            "id",
            "care_team__name",
            "display_name",
            "birth_year",
            "gender",
            "ethnicity",
            "preferred_language",
            "time_zone",
            "deprivation_quintile",
            "created_at",
        ),
        TreatmentEpisode.objects.filter(service_id=service_id)
        .order_by("id")
        .values_list("id", "patient_id", "referred_on", "started_on", "ended_on", "ending"),
    ]
