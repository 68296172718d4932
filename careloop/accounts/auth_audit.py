"""Authentication events on the audit hash chain: sign-in, failed sign-in, lockout, TOTP failure
and every denied (403) request (issue #18 item 9; docs/privacy/audit.md).

Never a password, a TOTP code, a token or a session id: only who (a user id), when, from where
(the client address, as every audit event has), and a code. The username typed at a failed
attempt is personal data and may be someone's password typed in the wrong box, so it is never
stored: a known account is named by its user id; an unknown name by the audit's keyed
pseudonym (`identifier_ref`), which matches repeated attempts and is useless without the key.

Which chain: the account's service when the account is known, the system chain otherwise.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from careloop.accounts.models import User
from careloop.audit.keys import identifier_ref
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core.http import client_ip

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_PATH_CHARS = 200


AUTH_ACTIONS = frozenset(  # what the service admin's page lists
    {
        AuditAction.SIGNED_IN,
        AuditAction.SIGN_IN_FAILED,
        AuditAction.LOCKED_OUT,
        AuditAction.MFA_FAILED,
        AuditAction.ACCESS_DENIED,
        AuditAction.MFA_VERIFIED,
        AuditAction.MFA_ENROLLED,
    }
)


def _ip(request: HttpRequest | None) -> str | None:
    return client_ip(request) if request is not None else None


def _account(username: str) -> User | None:
    if not username:
        return None
    return User.objects.filter(username=username).only("id", "service_id", "role").first()


def _who(username: str) -> tuple[uuid.UUID | None, dict[str, Any]]:
    """(chain, detail) naming the account tried: its id, or the keyed pseudonym of the name."""
    account = _account(username)
    if account is not None:
        return account.service_id, {"user_id": str(account.id)}
    return None, {"username_ref": identifier_ref("username", username)}


@receiver(user_logged_in, dispatch_uid="careloop.auth_audit.signed_in")
def record_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record_event(
        actor=user,
        action=AuditAction.SIGNED_IN,
        service_id=user.service_id,
        source_ip=_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="careloop.auth_audit.sign_in_failed")
def record_failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; only the username is read.
    service_id, detail = _who(str(credentials.get("username") or ""))
    record_event(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        service_id=service_id,
        source_ip=_ip(request),
        detail=detail,
    )


def record_lockout(request: HttpRequest | None, username: str, *, scope: str) -> None:
    """A sign-in refused by the lockout: `scope` "username_ip" (django-axes) or "ip"."""
    service_id, detail = _who(username)
    record_event(
        actor=None,
        action=AuditAction.LOCKED_OUT,
        service_id=service_id,
        source_ip=_ip(request),
        detail={**detail, "scope": scope},
    )


@receiver(user_locked_out, dispatch_uid="careloop.auth_audit.locked_out")
def _axes_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    record_lockout(request, username or "", scope="username_ip")


def record_mfa_failure(request: HttpRequest, user: User, *, step: str) -> None:
    """A wrong or missing TOTP code (`step`: "verify" or "enrol"); the code is never stored."""
    record_event(
        actor=user,
        action=AuditAction.MFA_FAILED,
        service_id=user.service_id,
        source_ip=_ip(request),
        detail={"step": step},
    )


def route_of(request: HttpRequest) -> str:
    """The path with ids masked and no query string: which kind of page, never whose."""
    return _UUID.sub("{id}", request.path)[:MAX_PATH_CHARS]


def record_denied(request: HttpRequest) -> None:
    """A request answered 403 (CSRF, the staff-MFA gate, a refused action, a read-only grant)."""
    user = getattr(request, "user", None)
    known = user if isinstance(user, User) and user.is_authenticated else None
    record_event(
        actor=known,
        action=AuditAction.ACCESS_DENIED,
        service_id=known.service_id if known is not None else None,
        source_ip=_ip(request),
        detail={"method": request.method or "", "route": route_of(request)},
    )
