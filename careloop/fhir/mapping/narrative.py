"""The generated narrative (`text`) of every resource Careloop emits (dom-6), built from the
resource itself (no Django).

The summary is one short line read from the resource's own coded and structured elements: codes
and their displays, statuses, dates, scores, names. It never reads free text a person wrote
(message payloads, notes, safety-plan entries, answers' question text), so the narrative can
never show a reader more than the structured resource already does, and usually shows less.
Every piece is HTML-escaped; the div holds one `<p>` (txt-1: only basic XHTML; txt-2: non-empty).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

XHTML = "http://www.w3.org/1999/xhtml"
Resource = dict[str, Any]


def narrative(summary: str) -> dict[str, str]:
    """The `text` element of a generated narrative saying `summary` (escaped here)."""
    line = html.escape(summary.strip() or "No summary", quote=True)
    return {"status": "generated", "div": f'<div xmlns="{XHTML}"><p>{line}</p></div>'}


def _day(value: Any) -> str:
    """'2026-11-03' from an instant, dateTime or date; '' when absent."""
    return value[:10] if isinstance(value, str) else ""


def _coding(concept: Any) -> str:
    """A concept's first coding as 'display' or 'code'; its `text` is not read."""
    if not isinstance(concept, dict):
        return ""
    for coding in concept.get("coding", []):
        if isinstance(coding, dict) and (coding.get("display") or coding.get("code")):
            return str(coding.get("display") or coding.get("code"))
    return ""


def _label(concept: Any) -> str:
    """A concept's `text` (set by Careloop from its own definitions), else its first coding."""
    if isinstance(concept, dict) and isinstance(concept.get("text"), str) and concept["text"]:
        return str(concept["text"])
    return _coding(concept)


def _kind(reference: Any) -> str:
    """'Patient' from {'reference': 'Patient/…'}: the kind of party, never who."""
    if isinstance(reference, dict) and isinstance(reference.get("reference"), str):
        return str(reference["reference"]).partition("/")[0]
    return ""


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _join(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def _patient(r: Resource) -> str:
    names = [n.get("text", "") for n in r.get("name", []) if isinstance(n, dict)]
    born = f"born {r['birthDate']}" if r.get("birthDate") else ""
    return _join(
        f"Patient {names[0]}" if names and names[0] else "Patient",
        f"gender {r['gender']}" if r.get("gender") else "",
        born,
    )


def _practitioner(r: Resource) -> str:
    name = next((n for n in r.get("name", []) if isinstance(n, dict)), {})
    full = " ".join([*name.get("given", []), name.get("family", "")]).strip()
    return _join(f"Practitioner {full}".strip(), "" if r.get("active", True) else "inactive")


def _care_team(r: Resource) -> str:
    members = len(r.get("participant", []))
    return _join(
        f"Care team {r.get('name', '')}".strip(),
        r.get("status", ""),
        _count(members, "member", "members"),
    )


def _questionnaire(r: Resource) -> str:
    version = f"version {r['version']}" if r.get("version") else ""
    return _join(f"Questionnaire {r.get('title') or r.get('name') or r.get('id', '')}", version)


def _questionnaire_response(r: Resource) -> str:
    canonical = str(r.get("questionnaire", "")).partition("|")[0].rstrip("/")
    answered = len(r.get("item", []))
    return _join(
        f"Response to questionnaire {canonical.rpartition('/')[2]}".strip(),
        r.get("status", ""),
        _count(answered, "item", "items") + " answered" if answered else "",
        _day(r.get("authored")),
    )


def _observation(r: Resource) -> str:
    value = ""
    if isinstance(r.get("valueQuantity"), dict):
        value = str(r["valueQuantity"].get("value", ""))
    elif "valueCodeableConcept" in r:
        value = _coding(r["valueCodeableConcept"])
    interpretation = next((_coding(c) for c in r.get("interpretation", [])), "")
    shown = f"{value} ({interpretation})" if value and interpretation else value
    code = r.get("code", {})
    label = code.get("text") if isinstance(code.get("text"), str) else ""
    label = label or f"Observation {_coding(code)}".strip()
    return _join(
        f"{label}: {shown}" if shown else label,
        r.get("status", ""),
        _day(r.get("effectiveDateTime")),
    )


def _risk_assessment(r: Resource) -> str:
    prediction: Resource = next(iter(r.get("prediction", [])), {})
    risk = _coding(prediction.get("qualitativeRisk"))
    outcome = _label(prediction.get("outcome")) or "Risk assessment"
    return _join(
        f"{outcome} (risk: {risk})" if risk else outcome,
        r.get("status", ""),
        _day(r.get("occurrenceDateTime")),
    )


def _flag(r: Resource) -> str:
    since = _day(r.get("period", {}).get("start"))
    return _join(
        _label(r.get("code")) or "Flag", r.get("status", ""), f"since {since}" if since else ""
    )


def _care_plan(r: Resource) -> str:
    steps = len(r.get("activity", []))
    return _join(
        str(r.get("title") or "Care plan"),
        r.get("status", ""),
        _count(steps, "activity", "activities") if steps else "",
        _day(r.get("created")),
    )


def _consent(r: Resource) -> str:
    provision = r.get("provision", {}) if isinstance(r.get("provision"), dict) else {}
    purposes = [p.get("code", "") for p in provision.get("purpose", []) if isinstance(p, dict)]
    stream = next((_coding(c) for c in provision.get("code", [])), "")
    return _join(
        f"Consent: {provision.get('type', '')}".strip(" :"),
        f"purpose {'/'.join(purposes)}" if purposes else "",
        f"data {stream}" if stream else "",
        r.get("status", ""),
        _day(r.get("dateTime")),
    )


def _communication(r: Resource) -> str:
    sender = _kind(r.get("sender"))
    party = {"Patient": "the patient", "Practitioner": "a care-team member"}.get(sender, "")
    read = "read" if r.get("received") else "unread"
    return _join(
        f"Message from {party}" if party else "Message", f"sent {_day(r.get('sent'))}", read
    )


def _episode_of_care(r: Resource) -> str:
    start = _day(r.get("period", {}).get("start"))
    return _join("Episode of care", r.get("status", ""), f"from {start}" if start else "")


def _provenance(r: Resource) -> str:
    kinds = [e.get("what", {}).get("type", "") for e in r.get("entity", []) if isinstance(e, dict)]
    what = f"Imported {kinds[0]}" if kinds and kinds[0] else "Provenance"
    return _join(what, f"recorded {_day(r.get('recorded'))}")


def _audit_event(r: Resource) -> str:
    codes = [s.get("display") or s.get("code", "") for s in r.get("subtype", [])]
    action = {"C": "create", "R": "read", "U": "update", "D": "delete", "E": "execute"}
    return _join(
        f"Audit event {codes[0]}" if codes else "Audit event",
        action.get(str(r.get("action", "")), ""),
        _day(r.get("recorded")),
    )


def _other(r: Resource) -> str:
    name = r.get("title") or r.get("name")
    kind = str(r.get("resourceType", "Resource"))
    return _join(f"{kind} {name}" if isinstance(name, str) else kind, str(r.get("status", "")))


SUMMARIES: dict[str, Callable[[Resource], str]] = {
    "Patient": _patient,
    "Practitioner": _practitioner,
    "CareTeam": _care_team,
    "Questionnaire": _questionnaire,
    "QuestionnaireResponse": _questionnaire_response,
    "Observation": _observation,
    "RiskAssessment": _risk_assessment,
    "Flag": _flag,
    "CarePlan": _care_plan,
    "Consent": _consent,
    "Communication": _communication,
    "EpisodeOfCare": _episode_of_care,
    "Provenance": _provenance,
    "AuditEvent": _audit_event,
}
# No narrative: not DomainResources (dom-6 does not apply) or answers about a request.
WITHOUT_NARRATIVE = frozenset({"Bundle", "Binary", "Parameters", "OperationOutcome"})


def summary(resource: Resource) -> str:
    return SUMMARIES.get(str(resource.get("resourceType")), _other)(resource)


def generated_text(resource: Resource) -> dict[str, str] | None:
    """The `text` of `resource` (None for the types that carry none)."""
    if resource.get("resourceType") in WITHOUT_NARRATIVE:
        return None
    return narrative(summary(resource))


def without_narrative(resource: Resource) -> Resource:
    """`resource` without its `text`: what a bulk NDJSON line carries (docs/fhir.md)."""
    return {key: value for key, value in resource.items() if key != "text"}
