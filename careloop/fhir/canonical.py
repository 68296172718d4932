"""The configured canonical base (settings.CARELOOP_FHIR_CANONICAL_BASE) at the FHIR edge.

The mappers write Careloop URLs under the placeholder DEFAULT_BASE; `outbound_text` moves every
reply's URLs to the configured base, `inbound` moves an incoming resource's (or search value's)
URLs under the configured base back, so a resource naming either base is understood.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from careloop.fhir.mapping.canonical import DEFAULT_BASE, rebase, rebase_json_text


def canonical_base() -> str:
    return str(getattr(settings, "CARELOOP_FHIR_CANONICAL_BASE", DEFAULT_BASE)).rstrip("/")


def outbound(resource: Any) -> Any:
    return rebase(resource, DEFAULT_BASE, canonical_base())


def outbound_text(text: str) -> str:
    """Serialised JSON (a reply, an NDJSON line) with Careloop URLs under the configured base."""
    return rebase_json_text(text, DEFAULT_BASE, canonical_base())


def inbound(resource: Any) -> Any:
    """An incoming resource or value with the configured base moved back to DEFAULT_BASE."""
    return rebase(resource, canonical_base(), DEFAULT_BASE)
