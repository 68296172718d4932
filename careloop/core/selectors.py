"""Reads of services (tenants). A service's name and settings are not patient data; who may act
in which service is each caller's check (a user's own service, an operator at the shell)."""

from __future__ import annotations

import uuid

from careloop.core.models import Service


def service_with_id(service_id: uuid.UUID) -> Service | None:
    return Service.objects.filter(id=service_id).first()


def service_with_slug(slug: str) -> Service | None:
    return Service.objects.filter(slug=slug).first()


def service_ids() -> list[uuid.UUID]:
    """Every service's id, oldest first (for worker jobs that visit each service in turn)."""
    return list(Service.objects.order_by("id").values_list("id", flat=True))
