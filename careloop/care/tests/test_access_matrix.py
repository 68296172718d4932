"""The access matrix (reliability_security.md A1, A4, A5), generated from the policy table.

personas (one per relationship the policy knows) × every endpoint that reads one patient's data
(pages, /api/, /fhir/r4/) × read. The expected answer of each cell comes from
careloop.privacy.policy (and, where the policy says "if consented", from the patient's consent):

- permitted: 200, and the response carries the stream's canary (the data really is there);
- denied for the whole record: 404, the same answer as for a patient that does not exist;
- denied for one stream of a record the reader may open: 404, or 200 without that stream's canary.

The matrix runs in three worlds: the consent defaults; Ada having withdrawn her questionnaires and
check-ins from her care (and opted her journal in); and a clinician of another team holding a
break-glass grant. A completeness check fails when a new patient-data route is not in the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from careloop.care.tests.access_world import CANARY, Persona, World, build_world
from careloop.privacy import breakglass
from careloop.privacy.consent import stream_permitted
from careloop.privacy.policy import (
    DataStream,
    Decision,
    PolicyRole,
    PurposeOfUse,
    Relationship,
    decide,
    effective_purpose,
)
from careloop.privacy.services import decide as decide_consent
from careloop.privacy.services import publish_default_documents
from careloop.privacy.types import Choice

STAFF = frozenset({PolicyRole.CLINICIAN, PolicyRole.SUPERVISOR})
EVERYONE = frozenset(PolicyRole)


@dataclass(frozen=True)
class Endpoint:
    route: str  # the pattern as Django's resolver spells it (the completeness check uses it)
    url: Callable[[World], str]
    stream: DataStream
    # Function-level audience: who the endpoint serves at all (e.g. a clinician's page is not a
    # patient's page even for their own record). The object-level answer comes from the policy.
    audience: frozenset[PolicyRole] = EVERYONE
    # What proves the stream's data is in the response, if not the stream's canary (a version
    # list shows version numbers, not the plan's words).
    marker: Callable[[World], str] | None = None
    search: bool = False  # a search answers "nothing found" (200, empty), not 404

    def __str__(self) -> str:
        return self.route

    def evidence(self, world: World) -> str:
        return self.marker(world) if self.marker else world.canary(self.stream)


def _text(value: str) -> Callable[[World], str]:
    return lambda world: value


def _id(name: str) -> Callable[[World], str]:
    return lambda world: world.ids[name]


def _p(template: str) -> Callable[[World], str]:
    return lambda world: template.format(pid=world.ada.id, **world.ids)


S = DataStream
ENDPOINTS: tuple[Endpoint, ...] = (
    # Pages
    Endpoint("patients/<uuid:patient_id>/", _p("/patients/{pid}/"), S.PROFILE),
    Endpoint(
        "safety/patients/<uuid:patient_id>/plan/", _p("/safety/patients/{pid}/plan/"), S.SAFETY
    ),
    Endpoint(
        "safety/patients/<uuid:patient_id>/plan/edit/",
        _p("/safety/patients/{pid}/plan/edit/"),
        S.SAFETY,
    ),
    Endpoint(
        "safety/patients/<uuid:patient_id>/plan/history/",
        _p("/safety/patients/{pid}/plan/history/"),
        S.SAFETY,
        marker=_text("Version 1"),
    ),
    Endpoint(
        "safety/patients/<uuid:patient_id>/plan/versions/<int:number>/",
        _p("/safety/patients/{pid}/plan/versions/1/"),
        S.SAFETY,
    ),
    # The team's views of a patient's journal and messages (the patient has their own pages).
    Endpoint(
        "journal/patients/<uuid:patient_id>/", _p("/journal/patients/{pid}/"), S.JOURNAL, STAFF
    ),
    Endpoint(
        "messages/patients/<uuid:patient_id>/", _p("/messages/patients/{pid}/"), S.MESSAGES, STAFF
    ),
    Endpoint(
        "alerts/<uuid:alert_id>/",
        _p("/alerts/{alert}/"),
        S.SAFETY,
        STAFF,
        marker=_text("(PHQ-9), question 9"),
    ),
    Endpoint(
        "questionnaires/results/<uuid:assessment_id>/",
        _p("/questionnaires/results/{assessment}/"),
        S.QUESTIONNAIRES,
        frozenset({PolicyRole.PATIENT}),
        marker=_text("Patient Health Questionnaire-9"),
    ),
    Endpoint(
        "supervision/patients/<uuid:patient_id>/",
        _p("/supervision/patients/{pid}/"),
        S.PROFILE,
        STAFF,
    ),
    # JSON API
    Endpoint(
        "api/patients/<patient_id>/assessments",
        _p("/api/patients/{pid}/assessments"),
        S.QUESTIONNAIRES,
    ),
    Endpoint("api/patients/<patient_id>/plan", _p("/api/patients/{pid}/plan"), S.PROFILE),
    Endpoint(
        "api/patients/<patient_id>/outcomes",
        _p("/api/patients/{pid}/outcomes"),
        S.QUESTIONNAIRES,
        marker=_text('"baseline": 9.0'),
    ),
    Endpoint(
        "api/patients/<patient_id>/safety-plan", _p("/api/patients/{pid}/safety-plan"), S.SAFETY
    ),
    Endpoint(
        "api/patients/<patient_id>/safety-plan/versions",
        _p("/api/patients/{pid}/safety-plan/versions"),
        S.SAFETY,
        marker=_text('"version": 1'),
    ),
    Endpoint(
        "api/patients/<patient_id>/safety-plan/versions/<number>",
        _p("/api/patients/{pid}/safety-plan/versions/1"),
        S.SAFETY,
    ),
    Endpoint(
        "api/patients/<patient_id>/journal", _p("/api/patients/{pid}/journal"), S.JOURNAL, STAFF
    ),
    Endpoint(
        "api/patients/<patient_id>/messages", _p("/api/patients/{pid}/messages"), S.MESSAGES, STAFF
    ),
    Endpoint("api/alerts/<alert_id>", _p("/api/alerts/{alert}"), S.SAFETY, STAFF, _id("alert")),
    # FHIR
    Endpoint("fhir/r4/Patient/<resource_id>", _p("/fhir/r4/Patient/{pid}"), S.PROFILE),
    Endpoint(
        "fhir/r4/QuestionnaireResponse/<resource_id>",
        _p("/fhir/r4/QuestionnaireResponse/{assessment}"),
        S.QUESTIONNAIRES,
    ),
    Endpoint(
        "fhir/r4/QuestionnaireResponse",
        _p("/fhir/r4/QuestionnaireResponse?subject=Patient/{pid}"),
        S.QUESTIONNAIRES,
        search=True,
    ),
    Endpoint(
        "fhir/r4/Flag/<resource_id>", _p("/fhir/r4/Flag/{alert}"), S.SAFETY, STAFF, _id("alert")
    ),
)

# Routes that take an object id but are not reads of another patient's data, with the reason.
NOT_PATIENT_READS = {
    "patients/<uuid:patient_id>/plan/<slug:measure>/": "write (POST only)",
    "alerts/<uuid:alert_id>/acknowledge": "write",
    "alerts/<uuid:alert_id>/action": "write",
    "alerts/<uuid:alert_id>/close": "write",
    "alerts/review/<uuid:item_id>/reviewed": "write (POST only; outsider 404 and break-glass 403"
    " in safety/tests/test_review_queue.py)",
    "journal/entries/<uuid:entry_id>/sharing/": "the patient's own entry (write)",
    "care/episodes/<uuid:episode_id>/step": "write (POST only; outsider 404 in "
    "care/tests/test_stepped_care.py)",
    "supervision/patients/<uuid:patient_id>/reviews": "write (POST only; outsider 404 and "
    "clinician 403 in monitoring/supervision/tests)",
    "me/access/emergency/<uuid:grant_id>/end/": "the clinician's own grant (write)",
    "api/patients/<patient_id>/plan/items/<measure>": "write (PUT)",
    "api/alerts/<alert_id>/acknowledge": "write",
    "api/alerts/<alert_id>/action": "write",
    "api/alerts/<alert_id>/close": "write",
    "api/journal/entries/<entry_id>/sharing": "the patient's own entry (write)",
    "api/patients/<patient_id>/messages/read": "write (marks read)",
    "api/break-glass/<grant_id>/end": "the clinician's own grant (write)",
    "api/escalation-policies/<team_id>": "team configuration, no patient data",
    "api/on-call/<team_id>": "team rota, no patient data",
    "api/safety/crisis-resource-reviews/<entry_id>/confirm": "service configuration",
    "api/safety/crisis-resource-reviews/<entry_id>/withdraw": "service configuration",
    "questionnaires/<slug:instrument_id>/": "the patient's own form",
    "accounts/invite/<str:code>/": "an invitation code (public; throttled, single use)",
    # Administration (#13), service admin only, own service only: outsiders and other services'
    # admins get 404 in care/, accounts/ and safety/tests/test_manage.py and test_invitations.py.
    "manage/patients/<uuid:patient_id>/": "the service admin's read for running the service "
    "(HOPERAT, profile only, through care.selectors.access; the matrix asks as TREAT): clinicians, "
    "patients and another service's admin 404 in care/tests/test_manage.py",
    "manage/staff/<uuid:user_id>/invite/": "staff login (write)",
    "manage/patients/<uuid:patient_id>/invite/": "write (POST only)",
    "manage/patients/<uuid:patient_id>/discharge/": "write (POST only)",
    "manage/teams/<uuid:team_id>/": "team configuration, no patient data",
    "manage/teams/<uuid:team_id>/members/add/": "team configuration (write)",
    "manage/teams/<uuid:team_id>/members/remove/": "team configuration (write)",
    "manage/escalation/<uuid:team_id>/": "team escalation policy and rota, no patient data",
    "manage/escalation/<uuid:team_id>/shifts/": "team rota (write)",
    "manage/escalation/<uuid:team_id>/shifts/<uuid:shift_id>/remove/": "team rota (write)",
    "learn/<slug:slug>/": "public psychoeducation guide, no patient data",
    # The ai domain's pages (#15): outsiders, patients and other services' staff get 404 in
    # ai/tests/test_pages.py (test_outsiders_and_other_roles_cannot_see_or_decide and after).
    "ai/models/<uuid:version_id>/": "a model card: service configuration, no patient data",
    "ai/models/<uuid:version_id>/audit": "a fairness report: group counts, no patient data",
    "ai/suggestions/<uuid:suggestion_id>/decide": "write (POST only)",
    "ai/patients/<uuid:patient_id>/check": "write (POST only; outsider 404 in ai/tests)",
    "ai/reviews/<uuid:task_id>/": "a review task; outsider 404 in ai/tests/test_pages.py",
    "decisions/<uuid:suggestion_id>/review": "the patient's own suggestion (write)",
    "fhir/r4/^(?P<path>.*)$": "FHIR's catch-all for unknown paths (OperationOutcome 404)",
    "fhir/r4/StructureDefinition/<resource_id>": "public conformance resource, no patient data",
    "fhir/r4/CodeSystem/<resource_id>": "public conformance resource, no patient data",
    "fhir/r4/ValueSet/<resource_id>": "public conformance resource, no patient data",
    "fhir/r4/NamingSystem/<resource_id>": "public conformance resource, no patient data",
    "fhir/r4/NamingSystem/object/<object_type>": "public conformance resource, no patient data",
}
# FHIR resource reads share one code path per resource type; the table covers one per stream
# and the FHIR domain's own tests cover the rest of its compartment rules.
FHIR_COVERED_ELSEWHERE = re.compile(
    r"^fhir/r4/(Practitioner|CareTeam|Questionnaire|Observation|Provenance|CarePlan|"
    r"RiskAssessment|AuditEvent|Consent|Communication|Group|bulkstatus|bulkfiles|"
    r"(Patient|Flag)/<resource_id>/_history)"
)


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return found


def test_every_route_with_an_object_id_is_in_the_matrix_or_explained() -> None:
    ids = re.compile(r"<[^>]+>")  # any path converter: the route names an object
    covered = {endpoint.route for endpoint in ENDPOINTS} | set(NOT_PATIENT_READS)
    missing = [
        route
        for route in _routes(get_resolver().url_patterns)
        if ids.search(route) and route not in covered and not FHIR_COVERED_ELSEWHERE.match(route)
    ]
    assert not missing, "\n".join(missing)


# --- Expected and actual ---------------------------------------------------------------------


def expected_permit(persona: Persona, endpoint: Endpoint, world: World) -> bool:
    if persona.role not in endpoint.audience:
        return False
    purpose = effective_purpose(persona.role, persona.relationship, PurposeOfUse.TREAT)
    decision = decide(persona.role, persona.relationship, purpose, endpoint.stream)
    if decision == Decision.PERMIT_IF_CONSENTED:
        return stream_permitted(
            patient_id=world.ada.id,
            service_id=world.service.id,
            purpose=purpose,
            stream=endpoint.stream,
        )
    return decision == Decision.PERMIT


def record_visible(persona: Persona, endpoint: Endpoint) -> bool:
    """Whether the reader may open the record at all (then a hidden stream may be a 200)."""
    if persona.role not in endpoint.audience:
        return False
    purpose = effective_purpose(persona.role, persona.relationship, PurposeOfUse.TREAT)
    return decide(persona.role, persona.relationship, purpose, DataStream.PROFILE) != Decision.DENY


def _mismatches(
    world: World, personas: list[Persona], *, skip: frozenset[str] = frozenset()
) -> list[str]:
    problems = []
    for persona in personas:
        client = world.clients[persona.name]
        for endpoint in ENDPOINTS:
            if endpoint.route in skip:
                continue
            response = client.get(endpoint.url(world))
            body = response.content.decode(errors="replace")
            shows_data = response.status_code == 200 and endpoint.evidence(world) in body
            if expected_permit(persona, endpoint, world):
                ok = shows_data
            elif record_visible(persona, endpoint) or endpoint.search:
                ok = response.status_code == 404 or (response.status_code == 200 and not shows_data)
            else:
                ok = response.status_code == 404
            if not ok:
                problems.append(
                    f"{persona.name} GET {endpoint.route} ({endpoint.stream}): "
                    f"{response.status_code}, data shown={shows_data}"
                )
    return problems


@pytest.fixture
def world(service, north, south, ada, ben, sam, dana, cleo) -> World:
    from conftest import make_user, signed_in

    publish_default_documents(service.id)
    return build_world(
        service=service, north=north, south=south, ada=ada, ben=ben, sam=sam, dana=dana,
        cleo=cleo, make_user=make_user, signed_in=signed_in,
    )  # fmt: skip


def test_matrix_with_consent_defaults(world) -> None:
    problems = _mismatches(world, world.personas)
    assert not problems, "\n".join(problems)


def _withdraw_and_opt_in(world: World) -> None:
    ada = world.ada.user
    assert ada is not None
    for stream, choice in (
        (DataStream.QUESTIONNAIRES, Choice.WITHDRAWN),
        (DataStream.CHECKINS, Choice.WITHDRAWN),
        (DataStream.JOURNAL, Choice.GIVEN),
    ):
        decide_consent(
            actor=ada, patient=world.ada, purpose=PurposeOfUse.TREAT, stream=stream, choice=choice
        )


def test_matrix_after_the_patient_withdraws_and_opts_in(world) -> None:
    _withdraw_and_opt_in(world)
    problems = _mismatches(world, world.personas)
    assert not problems, "\n".join(problems)


def test_matrix_under_a_break_glass_grant(world) -> None:
    dana = next(p for p in world.personas if p.name == "another team's clinician")
    breakglass.start(actor=dana.user, patient=world.ada, reason="Seen in A&E, team unreachable")
    holder = Persona("another team's clinician", dana.user, Relationship.BREAK_GLASS)
    problems = _mismatches(world, [holder])
    assert not problems, "\n".join(problems)


def test_withdrawn_streams_leak_through_no_endpoint(world) -> None:
    """A4: after a withdrawal no response to the care team carries the withdrawn streams."""
    ada = world.ada.user
    assert ada is not None
    for stream in (DataStream.QUESTIONNAIRES, DataStream.CHECKINS):
        decide_consent(
            actor=ada, patient=world.ada, purpose=PurposeOfUse.TREAT, stream=stream,
            choice=Choice.WITHDRAWN,
        )  # fmt: skip
    leaks = []
    for name in ("their clinician", "team supervisor"):
        client = world.clients[name]
        for endpoint in ENDPOINTS:
            if endpoint.stream == DataStream.SAFETY:
                continue  # the documented exception: an alert names the answer that raised it
            response = client.get(endpoint.url(world))
            if response.status_code != 200:
                continue  # a 404 may echo the id that was asked for; it shows no data
            body = response.content.decode(errors="replace")
            for stream in (DataStream.QUESTIONNAIRES, DataStream.CHECKINS):
                if world.canary(stream) in body:
                    leaks.append(f"{name} GET {endpoint.route} shows {stream}")
    assert not leaks, "\n".join(leaks)


def test_canaries_are_distinct() -> None:
    assert len(set(CANARY.values())) == len(CANARY)
