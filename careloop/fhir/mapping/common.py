"""Pieces every mapper shares: code systems, references, instants and version ids (no Django)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from careloop.fhir.mapping.narrative import generated_text

Resource = dict[str, Any]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CARELOOP_FHIR = "https://careloop.example/fhir"
# Careloop-local code systems, used only where LOINC has no verified code.
INSTRUMENT_TOTAL_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/instrument-total"
INSTRUMENT_ITEM_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/instrument-item"
SAFETY_RULE_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/safety-rule"
CARE_TEAM_ROLE_SYSTEM = f"{CARELOOP_FHIR}/CodeSystem/care-team-role"
CLIENT_ID_SYSTEM = "urn:ietf:rfc:3986"  # the client id travels as a urn:uuid: URI
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def reference(resource_type: str, resource_id: object) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def instant(moment: datetime) -> str:
    """An R4 instant (UTC, millisecond precision, 'Z')."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def client_id_identifier(client_id: uuid.UUID) -> dict[str, str]:
    return {"system": CLIENT_ID_SYSTEM, "value": f"urn:uuid:{client_id}"}


def instrument_fhir_id(instrument_id: str) -> str:
    """FHIR ids allow [A-Za-z0-9-.] only, so 'audit_c' is published as 'audit-c'."""
    return instrument_id.replace("_", "-")


def instrument_id_from_fhir(fhir_id: str) -> str:
    return fhir_id.replace("-", "_")


def version_id(resource: Resource) -> str:
    """A version id derived from the content: it changes exactly when the resource changes.

    Careloop keeps no resource history, so the content hash is the honest version (ETag). The
    generated narrative is left out: it is derived from the rest, and a bulk line (which omits
    it) then carries the same version as the read.
    """
    body = {key: value for key, value in resource.items() if key not in ("meta", "text")}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()[:16]


def with_meta(
    resource: Resource, last_updated: datetime | None, *, version: int | None = None
) -> Resource:
    """Add meta.versionId, meta.lastUpdated and the generated narrative (`text`, see
    mapping.narrative) to a finished resource.

    `version` is the stored version number where the domain keeps versions (safety plans,
    alert transitions); otherwise the version is the content hash.
    """
    text = resource.get("text") or generated_text(resource)
    if text is not None:
        resource = {key: value for key, value in resource.items() if key != "text"} | {"text": text}
    meta: dict[str, str] = {"versionId": str(version) if version else version_id(resource)}
    if last_updated is not None:
        meta["lastUpdated"] = instant(last_updated)
    head: Resource = {"resourceType": resource["resourceType"], "id": resource["id"], "meta": meta}
    if text is not None:
        head["text"] = text
    return head | {
        key: value for key, value in resource.items() if key not in ("resourceType", "id", "text")
    }
