"""The signed-in user at the API edge."""

from __future__ import annotations

from django.http import HttpRequest

from careloop.accounts.models import User
from careloop.core.errors import NotFound


def api_user(request: HttpRequest) -> User:
    """The user of an authenticated endpoint (ninja's session auth has already run)."""
    user = request.user
    if not isinstance(user, User):
        raise NotFound("user")
    return user
