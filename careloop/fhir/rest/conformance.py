"""What Careloop's canonical base names, served: GET StructureDefinition/CodeSystem/ValueSet/
NamingSystem (read, and a search by _id or url), and the FHIR package (package.tgz) a validator
loads. An audit-object identifier system (…/NamingSystem/object/<type>) reads at that path too.

Public, like /metadata: these are definitions, not patient data. Built by the pure builders in
careloop.fhir.mapping.conformance, moved to the configured canonical base on the way out.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query

from careloop.accounts.types import CARE_TEAM_ROLES, Role
from careloop.core import clock
from careloop.core.errors import NotFound
from careloop.fhir.canonical import canonical_base, inbound, outbound
from careloop.fhir.mapping.bundle import page_links, searchset
from careloop.fhir.mapping.common import Resource, with_meta
from careloop.fhir.mapping.conformance import (
    CONFORMANCE_TYPES,
    CONFORMANCE_VERSION,
    conformance_resources,
    package_manifest,
    package_tgz,
)
from careloop.fhir.rest.endpoints import ERRORS, FhirResource
from careloop.fhir.rest.http import base_url, etag, fhir_response
from careloop.fhir.services import FhirError
from careloop.instruments.library import list_instruments

conformance_router = Router(tags=["conformance"])
PACKAGE_MEDIA_TYPE = "application/gzip"


def published() -> list[Resource]:
    """Every conformance resource, under the placeholder base (as the mappers write)."""
    roles = [(role.value, str(role.label)) for role in Role if role in CARE_TEAM_ROLES]
    resources = conformance_resources(list_instruments(), roles, CONFORMANCE_VERSION)
    return [with_meta(resource, None) for resource in resources]  # versionId: content hash


def _of_type(resource_type: str) -> list[Resource]:
    return [r for r in published() if r["resourceType"] == resource_type]


def _canonical(resource: Resource) -> str:
    """Its url; an R4 NamingSystem has none: the identifier system (uniqueId, uri) names it."""
    if resource["resourceType"] == "NamingSystem":
        return str(next(u["value"] for u in resource["uniqueId"] if u["type"] == "uri"))
    return str(resource["url"])


def _read(resource_type: str, resource_id: str) -> HttpResponse:
    found = [r for r in _of_type(resource_type) if r["id"] == resource_id]
    if not found:
        raise NotFound(f"{resource_type}/{resource_id}")
    return fhir_response(found[0], headers={"ETag": etag(found[0])})


def _register(resource_type: str) -> None:
    def search(
        request: HttpRequest,
        id_: str | None = Query(None, alias="_id"),
        url: str | None = Query(
            None, description="the canonical URL (either base; a NamingSystem's uri uniqueId)"
        ),
    ) -> HttpResponse:
        matches = _of_type(resource_type)
        if id_:
            matches = [r for r in matches if r["id"] in id_.split(",")]
        if url:
            wanted = {inbound(u.partition("|")[0]) for u in url.split(",")}
            matches = [r for r in matches if _canonical(r) in wanted]
        query = [(n, v) for n, v in (("_id", id_), ("url", url)) if v]
        base = base_url(request)
        links = page_links(
            f"{base}/{resource_type}", query, offset=0, count=len(matches), total=len(matches)
        )
        bundle = searchset(
            bundle_id=str(uuid.uuid4()),
            base_url=base,
            matches=matches,
            included=[],
            total=len(matches),
            links=links,
            now=clock.now(),
        )
        return fhir_response(bundle)

    def read(request: HttpRequest, resource_id: str) -> HttpResponse:
        return _read(resource_type, resource_id)

    conformance_router.get(
        f"/{resource_type}",
        auth=None,
        response={200: FhirResource, **ERRORS},
        operation_id=f"search{resource_type}",
        summary=f"Careloop's {resource_type} resources (all, or by _id / url)",
    )(search)
    conformance_router.get(
        f"/{resource_type}/{{resource_id}}",
        auth=None,
        response={200: FhirResource, **ERRORS},
        operation_id=f"read{resource_type}",
        summary=f"Read one of Careloop's {resource_type} resources",
    )(read)


for _resource_type in CONFORMANCE_TYPES:
    _register(_resource_type)


@conformance_router.get(
    "/NamingSystem/object/{object_type}",
    auth=None,
    response={200: FhirResource, **ERRORS},
    operation_id="readAuditObjectNamingSystem",
    summary="The NamingSystem of an audit-object identifier system (…/NamingSystem/object/<type>)",
    description="The identifier system URL, followed: the resource NamingSystem/object-<type>.",
)
def read_audit_object_naming_system(request: HttpRequest, object_type: str) -> HttpResponse:
    return _read("NamingSystem", f"object-{object_type}")


@conformance_router.get(
    "/package.tgz",
    auth=None,
    operation_id="conformancePackage",
    summary="The FHIR package (NPM layout) of Careloop's conformance resources",
    description=(
        "package/package.json, package/.index.json and one JSON file per StructureDefinition, "
        "CodeSystem, ValueSet and NamingSystem, under the configured canonical base: load it "
        "into a validator (e.g. -ig package.tgz)."
    ),
)
def package(request: HttpRequest) -> HttpResponse:
    resources = outbound(published())
    if not isinstance(resources, list):  # pragma: no cover (rebase keeps the shape)
        raise FhirError("package could not be built", 500)
    body = package_tgz(package_manifest(canonical_base(), CONFORMANCE_VERSION), resources)
    response = HttpResponse(body, content_type=PACKAGE_MEDIA_TYPE)
    response["Content-Disposition"] = 'attachment; filename="careloop.fhir-package.tgz"'
    return response
