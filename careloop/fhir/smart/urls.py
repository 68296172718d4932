"""The OAuth 2.0 endpoints under /o/: authorise (Careloop's consent page), token, revoke,
introspect.

django-oauth-toolkit's application-management pages are deliberately not mounted: clients are
registered by an operator (`careloop fhir_client add`), never by any signed-in user.
"""

from __future__ import annotations

from django.urls import path
from oauth2_provider import views

from careloop.fhir.smart import consent
from careloop.fhir.smart.introspect import ServiceScopedIntrospectView

app_name = "oauth2_provider"
urlpatterns = [
    # Careloop's consent page, with a CSP that lets the approval redirect reach the app.
    path("authorize/", consent.authorize, name="authorize"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("revoke_token/", views.RevokeTokenView.as_view(), name="revoke-token"),
    # Answers only about tokens of the caller's own service (careloop.fhir.smart.introspect).
    path("introspect/", ServiceScopedIntrospectView.as_view(), name="introspect"),
]
