"""The policy table itself (pure): its guarantees hold for every cell, not just the ones tested
through HTTP."""

from __future__ import annotations

import itertools

import pytest

from careloop.privacy import consent_texts
from careloop.privacy.policy import (
    CONSENT_PURPOSES,
    RULES,
    ConsentBasis,
    DataStream,
    Decision,
    PolicyRole,
    PurposeOfUse,
    Relationship,
    choices_offered,
    consent_basis,
    consent_permits_by_default,
    decide,
    effective_purpose,
    expanded_table,
)


def test_policy_roles_are_the_account_roles() -> None:
    from careloop.accounts.types import Role

    assert {role.value for role in PolicyRole} == set(Role.values)


def test_the_last_rule_denies_everything_else() -> None:
    last = RULES[-1]
    assert (last.roles, last.relationships, last.purposes, last.streams) == (None,) * 4
    assert last.decision == Decision.DENY


@pytest.mark.parametrize(("purpose", "stream"), list(itertools.product(PurposeOfUse, DataStream)))
def test_no_one_crosses_a_service_boundary(purpose, stream) -> None:
    for role in PolicyRole:
        assert decide(role, Relationship.OTHER_SERVICE, purpose, stream) == Decision.DENY


def test_outside_the_team_clinicians_see_nothing_without_break_glass() -> None:
    for role, purpose, stream in itertools.product(
        (PolicyRole.CLINICIAN, PolicyRole.SUPERVISOR), PurposeOfUse, DataStream
    ):
        if purpose == PurposeOfUse.HOPERAT and role == PolicyRole.SUPERVISOR:
            continue  # service evaluation of measures, consent permitting (tested below)
        assert decide(role, Relationship.SAME_SERVICE, purpose, stream) == Decision.DENY


def test_the_patient_sees_all_of_their_own_record_and_nobody_elses() -> None:
    for stream in DataStream:
        assert decide(PolicyRole.PATIENT, Relationship.SELF, PurposeOfUse.PATRQT, stream) == (
            Decision.PERMIT
        )
        for purpose in PurposeOfUse:
            assert (
                decide(PolicyRole.PATIENT, Relationship.SAME_SERVICE, purpose, stream)
                == Decision.DENY
            )


def test_safety_stream_always_reaches_the_care_team() -> None:
    """The documented exception: risk alerts and the safety plan are never consent-gated for the
    team, and the consent text for every other treatment stream says so."""
    for role, relationship in (
        (PolicyRole.CLINICIAN, Relationship.CARE_TEAM),
        (PolicyRole.SUPERVISOR, Relationship.TEAM_SUPERVISOR),
    ):
        assert decide(role, relationship, PurposeOfUse.TREAT, DataStream.SAFETY) == Decision.PERMIT
    assert consent_basis(PurposeOfUse.TREAT, DataStream.SAFETY) == ConsentBasis.REQUIRED
    for stream in DataStream:
        if stream != DataStream.SAFETY:
            text = consent_texts.default_text(PurposeOfUse.TREAT, stream)
            assert consent_texts.SAFETY_EXCEPTION in text


def test_break_glass_is_emergency_treatment_only() -> None:
    assert (
        effective_purpose(PolicyRole.CLINICIAN, Relationship.BREAK_GLASS, PurposeOfUse.TREAT)
        == PurposeOfUse.ETREAT
    )
    for purpose in PurposeOfUse:
        decision = decide(
            PolicyRole.CLINICIAN, Relationship.BREAK_GLASS, purpose, DataStream.PROFILE
        )
        assert (decision == Decision.PERMIT) == (purpose == PurposeOfUse.ETREAT)


def test_research_and_ai_training_are_opt_in_and_never_touch_messages_or_safety() -> None:
    for purpose in (PurposeOfUse.HRESCH, PurposeOfUse.MLTRAINING):
        for stream in DataStream:
            basis = consent_basis(purpose, stream)
            assert basis in (ConsentBasis.OPT_IN, ConsentBasis.NOT_OFFERED)
            assert not consent_permits_by_default(purpose, stream)
        assert consent_basis(purpose, DataStream.MESSAGES) == ConsentBasis.NOT_OFFERED
        assert consent_basis(purpose, DataStream.SAFETY) == ConsentBasis.NOT_OFFERED


def test_service_evaluation_never_uses_free_text() -> None:
    for role, stream in itertools.product(
        (PolicyRole.SUPERVISOR, PolicyRole.SERVICE_ADMIN),
        (DataStream.JOURNAL, DataStream.MESSAGES),
    ):
        for relationship in (Relationship.SAME_SERVICE, Relationship.TEAM_SUPERVISOR):
            assert decide(role, relationship, PurposeOfUse.HOPERAT, stream) == Decision.DENY


def test_every_consent_dependent_cell_has_a_choice_the_patient_can_see() -> None:
    offered = {(purpose, stream) for purpose, stream, _ in choices_offered()}
    for cell in expanded_table():
        if cell.decision != Decision.PERMIT_IF_CONSENTED:
            continue
        consent_purpose = {
            PurposeOfUse.CAREMGT: PurposeOfUse.TREAT,
            PurposeOfUse.ETREAT: PurposeOfUse.TREAT,
        }.get(cell.purpose, cell.purpose)
        assert (consent_purpose, cell.stream) in offered, cell


def test_every_offered_choice_has_a_plain_language_text() -> None:
    for purpose, stream, _basis in choices_offered():
        assert purpose in CONSENT_PURPOSES
        assert consent_texts.default_title(purpose, stream)
        assert len(consent_texts.default_text(purpose, stream)) > 80


def test_the_published_table_is_the_enforced_table() -> None:
    from pathlib import Path

    from careloop.privacy.policy_doc import generated_block

    doc = Path(__file__).resolve().parents[3] / "docs" / "privacy" / "access-and-consent.md"
    assert generated_block() in doc.read_text(encoding="utf-8")


def test_consent_resources_are_valid_fhir() -> None:
    import uuid
    from datetime import UTC, datetime

    from fhir.resources.R4B.consent import Consent

    from careloop.privacy.fhir_consent import consent_resource

    for permitted, version in ((True, 2), (False, None)):
        resource = consent_resource(
            patient_id=uuid.uuid4(), purpose="HRESCH", stream="checkins", permitted=permitted,
            document_version=version, decided_at=datetime.now(UTC) if version else None,
            receipt="CR-ABCDEFGHJK" if version else None, resource_id="c1",
            stream_system="https://careloop.example/fhir/CodeSystem/data-stream",
            receipt_system="https://careloop.example/fhir/NamingSystem/consent-receipt",
        )  # fmt: skip
        Consent.model_validate(resource)
        assert resource["provision"]["type"] == ("permit" if permitted else "deny")
