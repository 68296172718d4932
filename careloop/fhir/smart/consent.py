"""The OAuth consent page (/o/authorize/): Careloop's own template, and a Content Security Policy
that lets the approval reach the app.

Browsers apply the page's CSP `form-action` to the whole form submission, including the redirect
the server answers it with, so `form-action 'self'` alone would block the redirect to the app's
`redirect_uri`. The page therefore also allows the origins registered for the requesting client
(and only those: an unknown client adds none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponseBase
from oauth2_provider.models import get_application_model
from oauth2_provider.views import AuthorizationView


class ConsentView(AuthorizationView):  # type: ignore[misc]  # untyped base class
    """The stock view on Careloop's page, which also names where the answer is sent."""

    template_name = "fhir/oauth2_authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        redirect_uri = str(context.get("redirect_uri") or "")
        context["return_to"] = urlsplit(redirect_uri).netloc or redirect_uri
        return context


_authorization_view: Callable[..., HttpResponseBase] = ConsentView.as_view()


def redirect_origins(redirect_uris: str) -> list[str]:
    """CSP sources for registered redirect URIs: the origin of web ones (scheme://host[:port]),
    the scheme of native-app ones (e.g. `com.example.app:`)."""
    sources = []
    for uri in redirect_uris.split():
        parts = urlsplit(uri)
        if parts.scheme in ("http", "https") and parts.netloc:
            source = f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
        elif parts.scheme:
            source = f"{parts.scheme}:"
        else:
            continue
        if source not in sources:
            sources.append(source)
    return sources


def _client_origins(request: HttpRequest) -> list[str]:
    client_id = request.GET.get("client_id") or request.POST.get("client_id")
    if not client_id:
        return []
    registered = (
        get_application_model()
        .objects.filter(client_id=client_id)
        .values_list("redirect_uris", flat=True)
        .first()
    )
    return redirect_origins(registered or "")


def authorize(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """django-oauth-toolkit's AuthorizationView, with the client's origins in `form-action`."""
    origins = _client_origins(request)
    if not origins:
        return _authorization_view(request, *args, **kwargs)
    view = csp_update({"form-action": origins})(_authorization_view)
    return view(request, *args, **kwargs)
