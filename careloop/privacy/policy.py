"""The access policy, as one declarative table (pure: no Django).

Who may read which part of a patient's record, and why:

    (role, relationship to the patient, purpose of use, data stream) → permit | if consented | deny

and, for every (purpose, stream) that depends on consent, the consent basis: required (part of
receiving care, cannot be withdrawn), opt-out (permitted unless the patient withdraws) or opt-in
(denied unless the patient agrees). care.selectors applies this table on every read; the
access-matrix test and docs/privacy/access-and-consent.md are generated from it too, so code,
tests and documentation cannot drift apart.

Purposes of use are HL7 v3 ActReason codes (http://terminology.hl7.org/CodeSystem/v3-ActReason).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

# One home for the HL7 purposes (audit stores them; this table decides by them). Re-exported:
# they are this policy's vocabulary as much as the audit log's.
from careloop.audit.types import PurposeOfUse as PurposeOfUse

E = TypeVar("E", bound=enum.Enum)


class PolicyRole(enum.StrEnum):
    """The values of careloop.accounts.models.Role (a test keeps the two in step)."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    SUPERVISOR = "supervisor"
    SERVICE_ADMIN = "service_admin"
    RESEARCHER = "researcher"


class Relationship(enum.StrEnum):
    """How the reader stands to this one patient (computed per request, never cached)."""

    SELF = "self"
    CARE_TEAM = "care_team"  # a clinician in the patient's care team
    TEAM_SUPERVISOR = "team_supervisor"  # a supervisor in the patient's care team
    SAME_SERVICE = "same_service"  # works in the same service, not in the patient's team
    BREAK_GLASS = "break_glass"  # holds an unexpired emergency-access grant for this patient
    OTHER_SERVICE = "other_service"


class DataStream(enum.StrEnum):
    """The parts of a record a patient can share or withhold separately. Stable names: other
    domains pass them to care.selectors.require_stream."""

    PROFILE = "profile"  # name, year of birth, care team: who the patient is
    QUESTIONNAIRES = "questionnaires"
    CHECKINS = "checkins"
    JOURNAL = "journal"
    MESSAGES = "messages"
    DEVICE = "device"  # data from wearables and phone sensors
    SAFETY = "safety"  # risk alerts and the safety plan


class Decision(enum.StrEnum):
    PERMIT = "permit"
    PERMIT_IF_CONSENTED = "permit_if_consented"
    DENY = "deny"


class ConsentBasis(enum.StrEnum):
    REQUIRED = "required"  # part of receiving care from the service: no choice offered
    OPT_OUT = "opt_out"  # allowed unless the patient withdraws
    OPT_IN = "opt_in"  # not allowed unless the patient agrees
    NOT_OFFERED = "not_offered"  # the policy never uses this (purpose, stream): nothing to choose


ANY = None
STAFF_IN_CARE = frozenset({PolicyRole.CLINICIAN, PolicyRole.SUPERVISOR})
TEAM = frozenset({Relationship.CARE_TEAM, Relationship.TEAM_SUPERVISOR})
CONTENT_STREAMS = frozenset(
    {
        DataStream.QUESTIONNAIRES,
        DataStream.CHECKINS,
        DataStream.JOURNAL,
        DataStream.MESSAGES,
        DataStream.DEVICE,
    }
)
# Free text written by the patient (or to them) never leaves their care for service evaluation.
MEASURES = frozenset({DataStream.QUESTIONNAIRES, DataStream.CHECKINS, DataStream.PROFILE})


@dataclass(frozen=True)
class Rule:
    """One line of the table; None in a field matches anything. The first matching rule wins."""

    roles: frozenset[PolicyRole] | None
    relationships: frozenset[Relationship] | None
    purposes: frozenset[PurposeOfUse] | None
    streams: frozenset[DataStream] | None
    decision: Decision
    why: str

    def matches(
        self,
        role: PolicyRole,
        relationship: Relationship,
        purpose: PurposeOfUse,
        stream: DataStream,
    ) -> bool:
        return (
            (self.roles is None or role in self.roles)
            and (self.relationships is None or relationship in self.relationships)
            and (self.purposes is None or purpose in self.purposes)
            and (self.streams is None or stream in self.streams)
        )


def _set(*members: E) -> frozenset[E]:
    return frozenset(members)


P, R, U, S = PolicyRole, Relationship, PurposeOfUse, DataStream

# fmt: off
RULES: tuple[Rule, ...] = (
    Rule(_set(P.PATIENT), _set(R.SELF), _set(U.PATRQT), ANY, Decision.PERMIT,
         "A patient always sees their whole own record."),
    Rule(ANY, _set(R.OTHER_SERVICE), ANY, ANY, Decision.DENY,
         "No access ever crosses a service boundary, not even in an emergency."),
    Rule(STAFF_IN_CARE, TEAM, _set(U.TREAT, U.CAREMGT), _set(S.PROFILE, S.SAFETY), Decision.PERMIT,
         "The care team always knows who the patient is and sees risk alerts and the safety "
         "plan: the documented safety exception (vital interests)."),
    Rule(STAFF_IN_CARE, TEAM, _set(U.TREAT), CONTENT_STREAMS, Decision.PERMIT_IF_CONSENTED,
         "The care team sees what the patient shares for their care."),
    Rule(_set(P.SUPERVISOR), _set(R.TEAM_SUPERVISOR), _set(U.CAREMGT), CONTENT_STREAMS,
         Decision.PERMIT_IF_CONSENTED,
         "The team's supervisor reviews the caseload under the same consent as treatment."),
    Rule(STAFF_IN_CARE, _set(R.BREAK_GLASS), _set(U.ETREAT), _set(S.PROFILE, S.SAFETY),
         Decision.PERMIT,
         "Emergency access: an outside clinician with a reason, for 60 minutes, audited."),
    Rule(STAFF_IN_CARE, _set(R.BREAK_GLASS), _set(U.ETREAT), CONTENT_STREAMS,
         Decision.PERMIT_IF_CONSENTED,
         "Emergency access still respects a stream the patient explicitly withdrew."),
    Rule(_set(P.SUPERVISOR, P.SERVICE_ADMIN), _set(R.TEAM_SUPERVISOR, R.SAME_SERVICE),
         _set(U.HOPERAT), MEASURES, Decision.PERMIT_IF_CONSENTED,
         "Service evaluation uses measures only (never free text), unless the patient opts out."),
    Rule(_set(P.RESEARCHER), _set(R.SAME_SERVICE), _set(U.HRESCH),
         _set(S.PROFILE, S.QUESTIONNAIRES, S.CHECKINS, S.JOURNAL, S.DEVICE),
         Decision.PERMIT_IF_CONSENTED, "Research only with the patient's explicit agreement."),
    Rule(_set(P.RESEARCHER), _set(R.SAME_SERVICE), _set(U.MLTRAINING),
         _set(S.QUESTIONNAIRES, S.CHECKINS, S.JOURNAL, S.DEVICE), Decision.PERMIT_IF_CONSENTED,
         "Training AI models only with the patient's explicit agreement."),
    Rule(ANY, ANY, ANY, ANY, Decision.DENY, "Anything not permitted above is denied."),
)
# fmt: on


def decide(
    role: PolicyRole, relationship: Relationship, purpose: PurposeOfUse, stream: DataStream
) -> Decision:
    return matching_rule(role, relationship, purpose, stream).decision


def matching_rule(
    role: PolicyRole, relationship: Relationship, purpose: PurposeOfUse, stream: DataStream
) -> Rule:
    for rule in RULES:
        if rule.matches(role, relationship, purpose, stream):
            return rule
    raise AssertionError("the last rule matches everything")  # pragma: no cover


def effective_purpose(
    role: PolicyRole, relationship: Relationship, requested: PurposeOfUse
) -> PurposeOfUse:
    """The purpose a read is judged and audited under.

    A patient reading their record does so as self-access; a clinician holding an emergency grant
    reads that patient as emergency treatment, whatever screen they opened it from.
    """
    if role == PolicyRole.PATIENT and relationship == Relationship.SELF:
        return PurposeOfUse.PATRQT
    if relationship == Relationship.BREAK_GLASS and requested == PurposeOfUse.TREAT:
        return PurposeOfUse.ETREAT
    return requested


# --- Writes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteRule:
    """Who may change clinical state (answers, alerts, plans, messages...) and as what purpose.

    Writes are decided by relationship alone: reading rights (consent, purpose) say what someone
    may see; changing the record belongs to the patient and their own care team.
    """

    roles: frozenset[PolicyRole]
    relationships: frozenset[Relationship]
    purpose: PurposeOfUse
    why: str


# fmt: off
WRITE_RULES: tuple[WriteRule, ...] = (
    WriteRule(_set(P.PATIENT), _set(R.SELF), U.PATRQT,
              "A patient writes their own record: answers, check-ins, journal, messages."),
    WriteRule(_set(P.CLINICIAN), _set(R.CARE_TEAM), U.TREAT,
              "The care team treats: acknowledges alerts, changes plans, writes to the patient."),
    WriteRule(_set(P.SUPERVISOR), _set(R.TEAM_SUPERVISOR), U.TREAT,
              "The team's supervisor acts for the team as a clinician of it."),
)
# fmt: on
# Emergency (break-glass) access reads and never writes: a grant proves urgency, not care, and an
# outsider acknowledging or closing an alert would stop the team's escalation (HZ-023). No
# WriteRule may name BREAK_GLASS or ETREAT; a test keeps it so.
READ_ONLY_RELATIONSHIPS = frozenset({R.BREAK_GLASS, R.SAME_SERVICE, R.OTHER_SERVICE})
WRITE_PURPOSES = frozenset(rule.purpose for rule in WRITE_RULES)


def write_purpose(role: PolicyRole, relationship: Relationship) -> PurposeOfUse | None:
    """The purpose a change to the record is made under, or None: this relationship only reads."""
    if relationship in READ_ONLY_RELATIONSHIPS:
        return None
    for rule in WRITE_RULES:
        if role in rule.roles and relationship in rule.relationships:
            return rule.purpose
    return None


# --- Consent -----------------------------------------------------------------------------------

# Supervision and emergency care ride on the patient's treatment choices: one decision, "for my
# care", covers the team, its supervisor and an emergency clinician.
CONSENT_PURPOSE: dict[PurposeOfUse, PurposeOfUse] = {
    PurposeOfUse.TREAT: PurposeOfUse.TREAT,
    PurposeOfUse.CAREMGT: PurposeOfUse.TREAT,
    PurposeOfUse.ETREAT: PurposeOfUse.TREAT,
    PurposeOfUse.HOPERAT: PurposeOfUse.HOPERAT,
    PurposeOfUse.HRESCH: PurposeOfUse.HRESCH,
    PurposeOfUse.MLTRAINING: PurposeOfUse.MLTRAINING,
}
CONSENT_PURPOSES = (
    PurposeOfUse.TREAT,
    PurposeOfUse.HOPERAT,
    PurposeOfUse.HRESCH,
    PurposeOfUse.MLTRAINING,
)

_BASIS_BY_PURPOSE = {
    PurposeOfUse.HOPERAT: ConsentBasis.OPT_OUT,
    PurposeOfUse.HRESCH: ConsentBasis.OPT_IN,
    PurposeOfUse.MLTRAINING: ConsentBasis.OPT_IN,
}
_TREATMENT_BASIS = {
    DataStream.PROFILE: ConsentBasis.REQUIRED,
    DataStream.SAFETY: ConsentBasis.REQUIRED,
    # Messages exist to talk to the care team: sharing them with the team is what sending means.
    DataStream.MESSAGES: ConsentBasis.REQUIRED,
    # A journal is private by default (a diary the patient may choose to share), unlike measures
    # that the patient completes because their clinician asked for them.
    DataStream.JOURNAL: ConsentBasis.OPT_IN,
    DataStream.QUESTIONNAIRES: ConsentBasis.OPT_OUT,
    DataStream.CHECKINS: ConsentBasis.OPT_OUT,
    DataStream.DEVICE: ConsentBasis.OPT_OUT,
}


def _used_by_policy(purpose: PurposeOfUse, stream: DataStream) -> bool:
    """Whether any rule lets consent decide this (purpose, stream)."""
    covered = {p for p, c in CONSENT_PURPOSE.items() if c == purpose}
    return any(
        rule.decision == Decision.PERMIT_IF_CONSENTED
        and (rule.streams is None or stream in rule.streams)
        and (rule.purposes is None or covered & rule.purposes)
        for rule in RULES
    )


def consent_basis(purpose: PurposeOfUse, stream: DataStream) -> ConsentBasis:
    """How the patient's consent works for `stream` used for `purpose` (a consent purpose)."""
    consent_purpose = CONSENT_PURPOSE.get(purpose)
    if consent_purpose is None:
        return ConsentBasis.NOT_OFFERED
    if consent_purpose == PurposeOfUse.TREAT:
        return _TREATMENT_BASIS[stream]
    if not _used_by_policy(consent_purpose, stream):
        return ConsentBasis.NOT_OFFERED
    return _BASIS_BY_PURPOSE[consent_purpose]


def consent_permits_by_default(purpose: PurposeOfUse, stream: DataStream) -> bool:
    """What applies while the patient has made no choice."""
    return consent_basis(purpose, stream) in (ConsentBasis.REQUIRED, ConsentBasis.OPT_OUT)


def choices_offered() -> list[tuple[PurposeOfUse, DataStream, ConsentBasis]]:
    """Every (purpose, stream) the patient can decide about, in the order pages show them."""
    return [
        (purpose, stream, basis)
        for purpose, stream in itertools.product(CONSENT_PURPOSES, DataStream)
        if (basis := consent_basis(purpose, stream)) not in (ConsentBasis.NOT_OFFERED,)
    ]


def is_withdrawable(purpose: PurposeOfUse, stream: DataStream) -> bool:
    return consent_basis(purpose, stream) in (ConsentBasis.OPT_OUT, ConsentBasis.OPT_IN)


# --- The whole table, expanded (docs and the access-matrix test) -------------------------------


@dataclass(frozen=True)
class Cell:
    role: PolicyRole
    relationship: Relationship
    purpose: PurposeOfUse
    stream: DataStream
    decision: Decision


# Relationships each role can actually have (a patient is never in a care team, etc.).
POSSIBLE_RELATIONSHIPS: dict[PolicyRole, tuple[Relationship, ...]] = {
    PolicyRole.PATIENT: (Relationship.SELF, Relationship.SAME_SERVICE, Relationship.OTHER_SERVICE),
    PolicyRole.CLINICIAN: (
        Relationship.CARE_TEAM,
        Relationship.SAME_SERVICE,
        Relationship.BREAK_GLASS,
        Relationship.OTHER_SERVICE,
    ),
    PolicyRole.SUPERVISOR: (
        Relationship.TEAM_SUPERVISOR,
        Relationship.SAME_SERVICE,
        Relationship.BREAK_GLASS,
        Relationship.OTHER_SERVICE,
    ),
    PolicyRole.SERVICE_ADMIN: (Relationship.SAME_SERVICE, Relationship.OTHER_SERVICE),
    PolicyRole.RESEARCHER: (Relationship.SAME_SERVICE, Relationship.OTHER_SERVICE),
}


def expanded_table() -> Iterator[Cell]:
    for role, relationships in POSSIBLE_RELATIONSHIPS.items():
        for relationship, purpose, stream in itertools.product(
            relationships, PurposeOfUse, DataStream
        ):
            yield Cell(
                role, relationship, purpose, stream, decide(role, relationship, purpose, stream)
            )
