"""JSON API of the safety domain: one router, endpoints in two modules (alerts, escalation)."""

from careloop.safety.api import alerts, escalation  # noqa: F401  (register the endpoints)
from careloop.safety.api.router import router

__all__ = ["router"]
