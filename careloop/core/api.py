"""Shared piece of the JSON API edge: DomainError → HTTP status with a clear message."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from careloop.core.errors import DomainError


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def _domain_error(request: HttpRequest, error: DomainError) -> HttpResponse:
        return api.create_response(request, {"detail": error.message}, status=error.status_code)
