"""Searches over patients, staff, care teams, questionnaires and safety flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.db.models.functions import Coalesce

from careloop.care.selectors import (
    care_teams_visible_to,
    patients_visible_to,
    practitioners_visible_to,
    with_care_team_staff,
)
from careloop.fhir.mapping.care_team import TeamMember, care_team_resource
from careloop.fhir.mapping.common import LOINC, instrument_fhir_id
from careloop.fhir.mapping.flag import STATUS_TO_FHIR, flag_resource
from careloop.fhir.mapping.patient import GENDER_TO_FHIR, patient_resource
from careloop.fhir.mapping.practitioner import practitioner_resource
from careloop.fhir.mapping.questionnaire import questionnaire_resource
from careloop.fhir.search.common import Page, apply, date_q, ids_q, ordered, window
from careloop.fhir.search.params import SearchRequest, token
from careloop.instruments.library import InstrumentDefinition, list_instruments
from careloop.safety.selectors import alerts_visible_to

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import CareTeam


def search_patients(user: User, request: SearchRequest) -> Page:
    genders = [
        careloop
        for value in request.values("gender")
        for careloop, fhir in GENDER_TO_FHIR.items()
        if fhir == value
    ]
    names = Q()
    for name in request.values("name"):
        names |= Q(display_name__icontains=name)
    rows = apply(
        patients_visible_to(user),
        [
            ids_q(request, "_id", "id", "Patient"),
            names if request.values("name") else None,
            Q(gender__in=genders) if request.values("gender") else None,
            date_q(request, "_lastUpdated", "created_at"),
        ],
    )
    rows = ordered(rows, request, {"_lastUpdated": "created_at"}, ["id"])
    found, total = window(rows, request)
    return Page(
        matches=[patient_resource(p) for p in found],
        total=total,
        patient_ids={p.id for p in found},
    )


def search_practitioners(user: User, request: SearchRequest) -> Page:
    rows = apply(practitioners_visible_to(user), [ids_q(request, "_id", "id", "Practitioner")])
    found, total = window(rows.order_by("id"), request)
    return Page(matches=[practitioner_resource(staff) for staff in found], total=total)


def search_care_teams(user: User, request: SearchRequest) -> Page:
    statuses = request.values("status")
    rows = apply(
        care_teams_visible_to(user),
        [
            ids_q(request, "_id", "id", "CareTeam"),
            ids_q(request, "patient", "patients__id", "Patient"),
            Q(pk__in=[]) if statuses and "active" not in statuses else None,
        ],
    )
    rows = with_care_team_staff(rows.order_by("id"))
    found, total = window(rows, request)
    page = Page(matches=[_care_team(team) for team in found], total=total)
    if "CareTeam:participant" in request.includes:
        staff = {m.user for team in found for m in team.memberships.all()}
        page.included = [practitioner_resource(s) for s in sorted(staff, key=lambda s: s.id)]
    return page


def _care_team(team: CareTeam) -> dict[str, object]:
    members = [TeamMember(m.user_id, m.user.role) for m in team.memberships.all()]
    return care_team_resource(team.id, team.name, sorted(members, key=lambda m: str(m.user_id)))


def _questionnaire_matches(definition: InstrumentDefinition, request: SearchRequest) -> bool:
    document = definition.questionnaire
    checks: dict[str, Callable[[str], bool]] = {
        "_id": lambda v: v == instrument_fhir_id(definition.id),
        "url": lambda v: v in (document["url"], f"{document['url']}|{definition.version}"),
        "name": lambda v: document["name"].lower().startswith(v.lower()),
        "status": lambda v: v == document["status"],
        "code": lambda v: (
            token(v).code == definition.loinc_panel and token(v).system in (None, LOINC)
        ),
    }
    return all(
        any(check(value) for value in request.values(name))
        for name, check in checks.items()
        if request.values(name)
    )


def search_questionnaires(request: SearchRequest) -> Page:
    found = [d for d in list_instruments() if _questionnaire_matches(d, request)]
    end = request.offset + (0 if request.summary_count else request.count)
    return Page(
        matches=[questionnaire_resource(d) for d in found[request.offset : end]],
        total=len(found),
    )


def _flag_statuses(request: SearchRequest) -> Q | None:
    wanted = request.values("status")
    if not wanted:
        return None
    return Q(status__in=[status for status, fhir in STATUS_TO_FHIR.items() if fhir in wanted])


def search_flags(user: User, request: SearchRequest) -> Page:
    # Safety alerts are shown to the care team only (careloop.safety.selectors).
    rows = alerts_visible_to(user).annotate(
        # The newest lifecycle stamp: the lifecycle only moves forward (Flag meta.lastUpdated).
        last_updated=Coalesce(
            "closed_at", "actioned_at", "acknowledged_at", "notified_at", "raised_at"
        )
    )
    rows = apply(
        rows,
        [
            ids_q(request, "_id", "id", "Flag"),
            ids_q(request, "patient", "patient_id", "Patient"),
            ids_q(request, "subject", "patient_id", "Patient"),
            _flag_statuses(request),
            date_q(request, "date", "raised_at"),
            date_q(request, "_lastUpdated", "last_updated"),
        ],
    )
    rows = ordered(rows, request, {"date": "raised_at", "_lastUpdated": "last_updated"}, ["id"])
    found, total = window(rows, request)
    page = Page(
        matches=[flag_resource(alert) for alert in found],
        total=total,
        patient_ids={alert.patient_id for alert in found},
    )
    if {"Flag:subject", "Flag:patient"} & set(request.includes):
        patients = {alert.patient_id: alert.patient for alert in found}
        page.included = [patient_resource(patient) for patient in patients.values()]
    return page
