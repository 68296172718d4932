"""Search results → FHIR searchset Bundle with paging links; versions → history Bundle (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlencode

from careloop.fhir.mapping.common import Resource, instant


def page_links(
    page_url: str,
    query: Sequence[tuple[str, str]],
    *,
    offset: int,
    count: int,
    total: int,
) -> list[dict[str, str]]:
    """self/first/previous/next/last links that keep every parameter except the offset."""
    kept = [(name, value) for name, value in query if name not in ("_offset", "_count")]

    def url(at: int) -> str:
        return f"{page_url}?{urlencode([*kept, ('_count', str(count)), ('_offset', str(at))])}"

    links = [{"relation": "self", "url": url(offset)}, {"relation": "first", "url": url(0)}]
    if count <= 0:
        return links
    if offset > 0:
        links.append({"relation": "previous", "url": url(max(0, offset - count))})
    if offset + count < total:
        links.append({"relation": "next", "url": url(offset + count)})
    last = max(0, (total - 1) // count * count)
    links.append({"relation": "last", "url": url(last)})
    return links


def searchset(
    *,
    bundle_id: str,
    base_url: str,
    matches: Sequence[Resource],
    included: Sequence[Resource],
    total: int,
    links: list[dict[str, str]],
    now: datetime,
) -> Resource:
    def entry(resource: Resource, mode: str) -> Resource:
        return {
            "fullUrl": f"{base_url}/{resource['resourceType']}/{resource['id']}",
            "resource": resource,
            "search": {"mode": mode},
        }

    bundle: Resource = {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"lastUpdated": instant(now)},
        "type": "searchset",
        "total": total,
        "link": links,
    }
    entries = [entry(r, "match") for r in matches] + [entry(r, "include") for r in included]
    if entries:
        bundle["entry"] = entries
    return bundle


def history(
    *,
    bundle_id: str,
    base_url: str,
    versions: Sequence[Resource],
    total: int,
    links: list[dict[str, str]],
    complete: bool,
    now: datetime,
) -> Resource:
    """A `history` Bundle of one resource's versions, newest first.

    `complete`: the versions reach back to the resource's creation (version 1 was a create);
    otherwise only the current state is known and it is reported as the last update.
    """

    def entry(resource: Resource) -> Resource:
        path = f"{resource['resourceType']}/{resource['id']}"
        version = resource["meta"]["versionId"]
        created = complete and version == "1"
        response: Resource = {
            "status": "201 Created" if created else "200 OK",
            "etag": f'W/"{version}"',
        }
        if "lastUpdated" in resource["meta"]:
            response["lastModified"] = resource["meta"]["lastUpdated"]
        return {
            "fullUrl": f"{base_url}/{path}",
            "resource": resource,
            "request": {"method": "POST" if created else "PUT", "url": path},
            "response": response,
        }

    bundle: Resource = {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {"lastUpdated": instant(now)},
        "type": "history",
        "total": total,
        "link": links,
    }
    if versions:
        bundle["entry"] = [entry(resource) for resource in versions]
    return bundle
