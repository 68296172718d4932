"""Sign-in throttling: the answer to a locked-out or over-eager sign-in, and the IP-wide limit.

django-axes locks a username+IP pair after LOGIN_FAILURE_LIMIT failures for LOGIN_LOCKOUT_MINUTES.
It counts failures for usernames that do not exist exactly as for real ones, so the lockout page
(the same bytes for both) cannot be used to find out who has an account. One IP trying many
usernames is capped separately (LOGIN_IP_FAILURE_LIMIT within the same window).

Unlock (docs/privacy/hardening.md): wait for the cool-off, or a service admin runs
`careloop axes-reset-username <username>` (or `axes-reset-ip <ip>`).
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from careloop.core import clock

LOCKED_STATUS = 429


def locked_out_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """The same page, status and headers whoever the username was (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    body = render_to_string("accounts/locked_out.html", {"minutes": minutes})
    response = HttpResponse(body, status=LOCKED_STATUS)
    response["Retry-After"] = str(minutes * 60)
    return response


def ip_failures_exceeded(request: HttpRequest) -> bool:
    """True once this IP has failed LOGIN_IP_FAILURE_LIMIT times in the cool-off window."""
    ip_address = get_client_ip_address(request)
    if not ip_address:
        return False
    since = clock.now() - settings.AXES_COOLOFF_TIME
    failures = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_IP_FAILURE_LIMIT
