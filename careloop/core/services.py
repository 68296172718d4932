"""Writes of services (tenants). Only operators create a service, at the shell (a FHIR bundle
import names the service it files into); nothing here touches patient data."""

from __future__ import annotations

from careloop.core.models import Service


def ensure_service(slug: str, *, name: str) -> Service:
    """The service with this slug, created with `name` if there is none yet."""
    service, _ = Service.objects.get_or_create(slug=slug, defaults={"name": name})
    return service
