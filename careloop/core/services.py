"""Writes of services (tenants)."""

from __future__ import annotations

from typing import Any

from careloop.core.models import Service


def ensure_service_for_seed(slug: str, *, defaults: dict[str, Any]) -> tuple[Service, bool]:
    """The service with `slug`, created with `defaults` if absent; and whether it was created.
    For the demo and synthetic-population loaders only (not audited: no patient data)."""
    return Service.objects.get_or_create(slug=slug, defaults=defaults)


def ensure_service(slug: str, *, name: str) -> Service:
    """The service with `slug`, created (named `name`) if missing: for an operator's import
    into a service that may not exist yet (fhir import)."""
    service, _ = Service.objects.get_or_create(slug=slug, defaults={"name": name})
    return service
