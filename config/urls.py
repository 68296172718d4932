from django.urls import include, path

from careloop.care.language import set_language_view
from careloop.core import pwa
from careloop.core.views import healthz
from careloop.fhir.smart.discovery import smart_configuration_view
from careloop.monitoring.views import home
from config.api import api

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("language", set_language_view, name="set-language"),
    path("accounts/", include("careloop.accounts.urls")),
    path("questionnaires/", include("careloop.assessments.urls")),
    path("", include("careloop.monitoring.urls")),
    path("alerts/", include("careloop.safety.urls")),
    path("safety/", include("careloop.safety.planning.urls")),
    path("journal/", include("careloop.journal.urls")),
    path("messages/", include("careloop.messaging.urls")),
    path("me/", include("careloop.rights.urls")),
    path("care/", include("careloop.care.urls")),
    path("supervision/", include("careloop.monitoring.supervision.urls")),
    path("service/", include("careloop.analytics.urls")),
    path("manage/", include("config.manage_urls")),
    path("ai/", include("careloop.ai.urls")),
    path("decisions/", include("careloop.ai.patient_urls")),
    path("api/", api.urls),
    path("fhir/r4/", include("careloop.fhir.urls")),
    path("o/", include("careloop.fhir.smart.urls")),
    path(".well-known/smart-configuration", smart_configuration_view, name="smart-configuration"),
]
