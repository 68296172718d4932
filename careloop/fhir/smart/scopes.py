"""SMART scopes (pure): parse `patient/Observation.read`, `user/*.rs`, `system/*.read` and decide
whether a set of scopes covers an interaction.

Both syntaxes of SMART App Launch 2.x are understood: v1 permissions (`read`, `write`, `*`) and
v2 permission letters (`c`, `r`, `u`, `d`, `s`, in that order, e.g. `rs`). v1 `read` means
read + search, `write` means create + update + delete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Context = Literal["patient", "user", "system"]
CONTEXTS: tuple[Context, ...] = ("patient", "user", "system")
# Scopes that carry no resource access; accepted and kept on the token.
LAUNCH_PATIENT = "launch/patient"
NON_RESOURCE_SCOPES = frozenset({LAUNCH_PATIENT, "offline_access"})

_V1 = {"read": frozenset("rs"), "write": frozenset("cud"), "*": frozenset("cruds")}
_SCOPE = re.compile(
    r"^(?P<context>patient|user|system)/(?P<type>\*|[A-Z][A-Za-z]{1,63})"
    r"\.(?P<permissions>read|write|\*|c?r?u?d?s?)$"
)


@dataclass(frozen=True)
class ResourceScope:
    context: Context
    resource_type: str  # a FHIR type or "*"
    permissions: frozenset[str]  # subset of "cruds"

    def covers(self, resource_type: str, permission: str) -> bool:
        return self.resource_type in ("*", resource_type) and permission in self.permissions


class InvalidScope(ValueError):
    """A scope string this server does not grant."""


def parse_scope(text: str) -> ResourceScope | None:
    """A resource scope, or None for a known non-resource scope; InvalidScope otherwise."""
    if text in NON_RESOURCE_SCOPES:
        return None
    match = _SCOPE.match(text)
    if match is None or match["permissions"] == "":
        raise InvalidScope(text)
    permissions = match["permissions"]
    context: Context = match["context"]  # type: ignore[assignment]  # the pattern allows 3
    return ResourceScope(context, match["type"], _V1.get(permissions, frozenset(permissions)))


def parse_scopes(texts: Iterable[str]) -> tuple[ResourceScope, ...]:
    parsed = (parse_scope(text) for text in texts)
    return tuple(scope for scope in parsed if scope is not None)


def granted(
    scopes: Iterable[ResourceScope], context: Context, resource_type: str, permission: str
) -> bool:
    return any(s.context == context and s.covers(resource_type, permission) for s in scopes)


def contexts_of(scopes: Iterable[ResourceScope]) -> set[Context]:
    return {scope.context for scope in scopes}


# What each FHIR type holds, in the words of the consent page.
PLAIN_NAMES = {
    "*": "whole record",
    "Patient": "profile (name, birth year, gender and language)",
    "Practitioner": "care team members' names",
    "CareTeam": "care team",
    "Questionnaire": "questionnaires (the questions only)",
    "QuestionnaireResponse": "questionnaire answers",
    "Observation": "questionnaire scores and answers",
    "Flag": "safety alerts",
    "Provenance": "sources of imported results",
    "CarePlan": "measurement plans and safety plans",
    "RiskAssessment": "risk assessments",
    "AuditEvent": "access log (who looked at the record)",
    "Consent": "privacy choices",
    "Communication": "messages",
}


# The only writes the server accepts (every other type is read-only, whatever the scope says).
_WRITES = {
    "QuestionnaireResponse": "send questionnaire answers",
    "Patient": "change your own contact details and preferred language (patients only)",
}


def describe(text: str) -> str:
    """Plain-language text shown on the consent page for one scope: what the app will be able
    to do with it here (a write scope on a read-only type adds nothing, so it says nothing)."""
    if text == LAUNCH_PATIENT:
        return "Know which patient record is yours"
    if text == "offline_access":
        return "Keep access while you are not using the app, until the access is withdrawn"
    scope = parse_scope(text)
    assert scope is not None
    what = PLAIN_NAMES.get(scope.resource_type, f"{scope.resource_type} records")
    if scope.resource_type == "Patient" and scope.context == "patient":
        what = "profile (name, birth year, gender, language and contact details)"
    whose = {
        "patient": f"your {what}",
        "user": f"the {what} of every patient you can see in Careloop",
        "system": f"the {what} of the service's patients",
    }[scope.context]
    parts = [f"see {whose}"] if scope.permissions & {"r", "s"} else []
    if scope.permissions & {"c", "u"} and scope.context != "system":
        types = _WRITES if scope.resource_type == "*" else [scope.resource_type]
        parts += [_WRITES[t] for t in types if t in _WRITES]
    if not parts:
        return f"Nothing: Careloop accepts no changes to {whose}"
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:]
