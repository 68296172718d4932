"""Writes of user accounts for other domains (accounts' models are private to it)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction

from careloop.accounts.models import User


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
