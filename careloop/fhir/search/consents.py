"""Search over Consents: the patient's consent decisions (careloop.privacy), newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from careloop.care.selectors import consent_decisions_visible_to
from careloop.fhir.mapping.consent import ACT_REASON, GIVEN, consent_resource
from careloop.fhir.mapping.patient import patient_resource
from careloop.fhir.search.common import Page, apply, date_q, ids_q, ordered, window
from careloop.fhir.search.params import SearchRequest, token
from careloop.privacy.consent import with_supersession
from careloop.privacy.policy import DataStream, PurposeOfUse, consent_basis

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.privacy.models import ConsentDecision

_SORT = {"date": "decided_at", "_lastUpdated": "last_updated"}
_NEWEST_FIRST = ["-decided_at", "-id"]


def _status_q(request: SearchRequest) -> Q | None:
    values = request.values("status")
    if not values:
        return None
    wanted = Q(pk__in=[])
    if "active" in values:
        wanted |= Q(superseded_at__isnull=True, choice=GIVEN)
    if "rejected" in values:
        wanted |= Q(superseded_at__isnull=True) & ~Q(choice=GIVEN)
    if "inactive" in values:
        wanted |= Q(superseded_at__isnull=False)
    return wanted


def _purpose_q(request: SearchRequest) -> Q | None:
    values = request.values("purpose")
    if not values:
        return None
    codes = [t.code for t in map(token, values) if t.system in (None, ACT_REASON)]
    return Q(purpose__in=codes)


def _basis(decision: ConsentDecision) -> str:
    try:
        return consent_basis(PurposeOfUse(decision.purpose), DataStream(decision.stream)).value
    except ValueError:
        return ""


def search_consents(user: User, request: SearchRequest) -> Page:
    rows = with_supersession(consent_decisions_visible_to(user))
    rows = apply(
        rows.select_related("patient"),
        [
            ids_q(request, "_id", "id", "Consent"),
            ids_q(request, "patient", "patient_id", "Patient"),
            _status_q(request),
            _purpose_q(request),
            date_q(request, "date", "decided_at"),
            date_q(request, "_lastUpdated", "last_updated"),
        ],
    )
    found, total = window(ordered(rows, request, _SORT, _NEWEST_FIRST), request)
    page = Page(
        matches=[
            consent_resource(d, basis=_basis(d), superseded_at=d.superseded_at)  # type: ignore[attr-defined]
            for d in found
        ],
        total=total,
        patient_ids={d.patient_id for d in found},
    )
    if "Consent:patient" in request.includes:
        patients = {d.patient_id: d.patient for d in found}
        page.included = [patient_resource(p) for p in patients.values()]
    return page
