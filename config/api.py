"""The JSON API: one NinjaAPI, one router per domain. OpenAPI at /api/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from careloop.analytics.api import router as analytics_router
from careloop.assessments.api import router as assessments_router
from careloop.core.api import declare_edge_errors, install_error_handlers
from careloop.journal.api import router as journal_router
from careloop.messaging.api import router as messaging_router
from careloop.monitoring.api import router as monitoring_router
from careloop.monitoring.outcomes_api import router as outcomes_router
from careloop.rights.access.api import router as rights_access_router
from careloop.rights.data.api import router as rights_data_router
from careloop.safety.api import router as safety_router
from careloop.safety.planning.api import router as planning_router

api = NinjaAPI(
    title="Careloop API",
    version="0.1.0",
    description="Measurement-based mental health care. Session auth with CSRF; staff need MFA.",
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", assessments_router)
api.add_router("/", monitoring_router)
api.add_router("/", outcomes_router)
api.add_router("/", analytics_router)
api.add_router("/", safety_router)
api.add_router("/", planning_router)
api.add_router("/", journal_router)
api.add_router("/", messaging_router)
api.add_router("/", rights_access_router)
api.add_router("/", rights_data_router)
# Last: every operation now exists; declare the statuses the edge answers and the one error shape.
declare_edge_errors(api)
