"""JSON API of the safety domain: one router, endpoints in two modules (alerts, escalation)."""

from careloop.safety.api.router import router

from careloop.safety.api import alerts, escalation  # noqa: F401, I001  (register the endpoints)

__all__ = ["router"]
