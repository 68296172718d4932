"""Writes of user accounts for other domains (accounts' models are private to it)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from careloop.accounts.models import Invitation, User
from careloop.accounts.types import Role
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import Conflict, InvalidInput, NotFound


@transaction.atomic
def set_contact_channels(user_id: uuid.UUID, *, phone: str, email: str) -> list[str]:
    """Replace a user's SMS number and e-mail address (already validated by the caller);
    returns the names of those that changed ("phone", "email").

    Not audited here: the caller (care.services.update_contact_details) audits the whole change
    of a patient's contact details, with the field names only, in the same transaction.
    """
    user = User.objects.select_for_update().get(id=user_id)
    changed = [
        name
        for name, old, new in (("phone", user.phone_number, phone), ("email", user.email, email))
        if old != new
    ]
    if changed:
        user.phone_number, user.email = phone, email
        user.save(update_fields=["phone_number", "email"])
    return changed


def lock_user(user_id: uuid.UUID) -> User:
    """The user's row, locked until the caller's transaction ends."""
    return User.objects.select_for_update().get(id=user_id)


# Writes for the demo and synthetic-population loaders (careloop.seed) only: synthetic logins,
# created without audit events (nothing real happened).


def ensure_user_for_seed(username: str, *, defaults: dict[str, Any]) -> tuple[User, bool]:
    """The user named `username`, created with `defaults` if absent; and whether it was created."""
    return User.objects.get_or_create(username=username, defaults=defaults)


def set_password_for_seed(user: User, password: str | None) -> None:
    """Set a demo password, or make the password unusable (None): load fixtures sign in never."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])


# --- Invitations (issue #13): a service admin adds a person; the person sets their own password.

INVITATION_LIFETIME = timedelta(days=7)
# 32 letters and digits without look-alikes (no 0/O, 1/I): 5 bits a character, 20 characters =
# 100 random bits, read aloud or typed in groups of four.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20
_USERNAME = UnicodeUsernameValidator()


class InvalidInvitation(NotFound):
    """Unknown, used, withdrawn or expired: the person is told the same thing in every case."""

    def __init__(self) -> None:
        super().__init__("invitation")
        self.message = "This invitation code is not valid. It may have expired or been used."


@dataclass(frozen=True)
class IssuedInvitation:
    """What the admin passes on, shown once: the code (in groups) and when it stops working."""

    user: User
    code: str
    expires_at: datetime

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


def normalised_code(text: str) -> str:
    """The code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _sha256(code: str) -> str:
    return hashlib.sha256(normalised_code(code).encode("ascii", "replace")).hexdigest()


def _require_admin(actor: User) -> uuid.UUID:
    if actor.role != Role.SERVICE_ADMIN or actor.service_id is None or not actor.is_active:
        raise NotFound("service")
    return actor.service_id


def _checked_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise InvalidInput("Give a user name.")
    if len(username) > 150:
        raise InvalidInput("A user name has at most 150 characters.")
    try:
        _USERNAME(username)
    except ValidationError:
        raise InvalidInput(
            "A user name may hold only letters, digits and the characters @ . + - _"
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("That user name is taken. Choose another.")
    return username


def _issue(user: User, *, actor: User) -> IssuedInvitation:
    """Withdraw the user's open invitations and make a new one (inside the caller's transaction)."""
    now = clock.now()
    Invitation.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    invitation = Invitation.objects.create(
        user=user,
        code_sha256=_sha256(code),
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        created_by=actor,
    )
    record_event(
        actor=actor,
        action=AuditAction.ACCOUNT_INVITED,
        service_id=user.service_id,
        obj=("User", user.id),
        detail={"role": str(user.role), "invitation": str(invitation.id)},
    )
    return IssuedInvitation(user, code, invitation.expires_at)


@transaction.atomic
def invite_new_user(
    *, actor: User, username: str, role: Role, email: str = "", full_name: str = ""
) -> IssuedInvitation:
    """A service admin adds a login to their own service, closed until the person accepts the
    invitation (sets a password). Staff then set up their authenticator at their first sign-in
    (the staff-MFA gate sends them to enrolment). Audited; the code is never stored."""
    service_id = _require_admin(actor)
    if role not in Role.values:
        raise InvalidInput("Choose a role.")
    username = _checked_username(username)
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput("That is not a valid e-mail address.") from None
    first, _, last = full_name.strip().partition(" ")
    user = User(
        username=username,
        role=role,
        service_id=service_id,
        email=email,
        first_name=first[:150],
        last_name=last.strip()[:150],
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return _issue(user, actor=actor)


@transaction.atomic
def reissue_invitation(*, actor: User, user_id: uuid.UUID) -> IssuedInvitation:
    """A new code for someone of the admin's service who has not accepted yet (the old one
    stops working). Someone of another service: NotFound."""
    service_id = _require_admin(actor)
    user = User.objects.select_for_update().filter(id=user_id, service_id=service_id).first()
    if user is None:
        raise NotFound("user")
    if user.has_usable_password():
        raise Conflict("This person has already set their password.")
    return _issue(user, actor=actor)


def open_invitation(code: str) -> Invitation | None:
    """The unused, unwithdrawn, unexpired invitation with this code, or None."""
    code = normalised_code(code)
    if len(code) != CODE_LENGTH:
        return None
    invitation = (
        Invitation.objects.select_related("user")
        .filter(code_sha256=_sha256(code), used_at=None, revoked_at=None)
        .first()
    )
    if invitation is None or invitation.expires_at <= clock.now():
        return None
    return invitation


@transaction.atomic
def accept_invitation(*, code: str, password: str, source_ip: str | None = None) -> User:
    """The invited person sets their password; the invitation is used up and the login opens.

    InvalidInvitation for a code that is unknown, used, withdrawn or expired (the same answer);
    InvalidInput when the password fails the password rules (nothing changes)."""
    found = open_invitation(code)
    if found is None:
        raise InvalidInvitation()
    invitation = Invitation.objects.select_for_update().get(id=found.id)
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise InvalidInvitation()  # a concurrent acceptance won
    user = User.objects.select_for_update().get(id=invitation.user_id)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from None
    now = clock.now()
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.used_at = now
    invitation.save(update_fields=["used_at"])
    Invitation.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
    record_event(
        actor=user,
        action=AuditAction.INVITATION_ACCEPTED,
        service_id=user.service_id,
        obj=("User", user.id),
        source_ip=source_ip,
        detail={"invitation": str(invitation.id), "role": str(user.role)},
    )
    return user
