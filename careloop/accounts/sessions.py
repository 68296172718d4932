"""Session lifetime: stamps at sign-in, idle and absolute limits, and ending a person's sessions.

Django already gives a new session id at password sign-in (cycle_key in auth.login); MFA
verification cycles it again (views.verify), so an id seen before either step is worthless after.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest

from careloop.accounts.models import User
from careloop.core import clock

STARTED_KEY = "careloop_auth_started"
SEEN_KEY = "careloop_last_seen"
# The last-seen stamp is rewritten at most this often, so a busy page is not a session write per
# request; the idle limit is therefore exact to within this many seconds.
SEEN_RESOLUTION_SECONDS = 30


def idle_limit_seconds(user: User) -> int:
    if user.is_staff_role:
        return int(settings.SESSION_IDLE_SECONDS_STAFF)
    return int(settings.SESSION_IDLE_SECONDS_PATIENT)


def expired_reason(request: HttpRequest, user: User) -> str | None:
    """'idle', 'absolute' or None; stamps a session that has none (signed in before this code)."""
    session = request.session
    now = clock.now().timestamp()
    started = session.get(STARTED_KEY)
    seen = session.get(SEEN_KEY)
    if started is None or seen is None:
        session[STARTED_KEY] = session[SEEN_KEY] = now
        return None
    if now - float(started) > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if now - float(seen) > idle_limit_seconds(user):
        return "idle"
    if now - float(seen) >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_KEY] = now
    return None


@receiver(user_logged_in)
def _stamp_new_session(sender: Any, request: HttpRequest | None, user: User, **_: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = clock.now().timestamp()
        request.session[STARTED_KEY] = request.session[SEEN_KEY] = now


def end_all_sessions(user: User) -> int:
    """Delete every stored session of USER (database sessions); returns how many."""
    user_key = str(user.pk)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=clock.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_key
    ]
    Session.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


@receiver(pre_save, sender=User)
def _remember_if_was_active(
    sender: type[User], instance: User, update_fields: frozenset[str] | None = None, **_: Any
) -> None:
    if instance._state.adding or (update_fields is not None and "is_active" not in update_fields):
        instance._careloop_was_active = False  # type: ignore[attr-defined]
        return
    was = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    instance._careloop_was_active = bool(was)  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _end_sessions_of_disabled_account(sender: type[User], instance: User, **_: Any) -> None:
    """A disabled account is signed out everywhere at once, not at its next idle timeout."""
    if getattr(instance, "_careloop_was_active", False) and not instance.is_active:
        end_all_sessions(instance)
