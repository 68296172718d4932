"""Versions of one resource, for `_history` and vread.

Real history exists where the domain keeps it: a safety plan stores every saved version, and an
alert stamps every lifecycle move (so its Flag and RiskAssessment are rebuilt version by version).
Every other type keeps no history and offers its current version only (a content-hash versionId).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from careloop.fhir.mapping.common import Resource
from careloop.fhir.mapping.flag import alert_transitions, flag_resource
from careloop.fhir.mapping.risk_assessment import risk_assessment_resource
from careloop.fhir.search.care_plans import care_plan_versions
from careloop.fhir.search.common import as_uuid
from careloop.fhir.search.risk_assessments import reader_may_see_evidence_text
from careloop.safety.selectors import alerts_visible_to, automated_alerts_visible_to

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.safety.models import Alert


@dataclass(frozen=True)
class History:
    versions: list[Resource]  # newest first
    patient_id: uuid.UUID | None  # whose data it is (audit), None for non-patient resources


def _alert(rows_for: Callable[[User], object], user: User, resource_id: str) -> Alert | None:
    wanted = as_uuid(resource_id)
    if wanted is None:
        return None
    rows = rows_for(user)
    return rows.filter(id=wanted).first()  # type: ignore[attr-defined, no-any-return]


def flag_history(user: User, resource_id: str) -> History | None:
    alert = _alert(alerts_visible_to, user, resource_id)
    if alert is None:
        return None
    count = len(alert_transitions(alert))
    versions = [flag_resource(alert, version=n) for n in range(count, 0, -1)]
    return History(versions, alert.patient_id)


def risk_assessment_history(user: User, resource_id: str) -> History | None:
    alert = _alert(automated_alerts_visible_to, user, resource_id)
    if alert is None:
        return None
    include_text = reader_may_see_evidence_text(user)
    count = len(alert_transitions(alert))
    versions = [
        risk_assessment_resource(alert, include_text=include_text, version=n)
        for n in range(count, 0, -1)
    ]
    return History(versions, alert.patient_id)


def care_plan_history(user: User, resource_id: str) -> History | None:
    found = care_plan_versions(user, resource_id)
    if found is None:
        return None
    versions, patient_id = found
    return History(versions, patient_id)


# Types whose earlier versions can be returned; the rest answer with their current version.
VERSIONED: dict[str, Callable[[User, str], History | None]] = {
    "Flag": flag_history,
    "RiskAssessment": risk_assessment_history,
    "CarePlan": care_plan_history,
}
