"""Accounts' patient data (registry: careloop.core.patient_data): a patient's login and what
hangs off it — sign-in sessions, the two-step sign-in app, lock-out logs of their user name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

from careloop.accounts.models import Invitation, User
from careloop.accounts.sessions import end_all_sessions
from careloop.accounts.types import Role
from careloop.core import clock
from careloop.core.patient_data import (
    EXPORT_CHUNK,
    CountOf,
    PatientData,
    PatientScope,
    delete_rows,
    register,
)


def _devices(scope: PatientScope) -> Iterator[TOTPDevice]:
    if scope.user is None:
        return iter(())
    return iter(TOTPDevice.objects.filter(user=scope.user).order_by("id"))


def _erase_devices(scope: PatientScope) -> int:
    return delete_rows(TOTPDevice.objects.filter(user=scope.user)) if scope.user else 0


def _erase_invitations(scope: PatientScope) -> int:
    """The codes that let the patient set a password: a credential, never exported."""
    return delete_rows(Invitation.objects.filter(user=scope.user)) if scope.user else 0


def _sessions(scope: PatientScope) -> int:
    """Signs the patient out everywhere (the session blob names the user)."""
    return end_all_sessions(scope.user) if scope.user else 0


def _sign_in_logs(model: type[models.Model]) -> CountOf:
    """Lock-out protection keeps sign-in attempts by user name (and address): drop the login's."""

    def erase(scope: PatientScope) -> int:
        user = scope.user
        return delete_rows(model._default_manager.filter(username=user.username)) if user else 0

    return erase


register(
    # The login: its e-mail, phone and user name are in the Patient resource; erasure closes
    # and empties it (`scrub_login`), the row stays because audit rows point at their actor.
    PatientData(User, part_of="care.Patient"),
    PatientData(Session, erase=_sessions),  # a credential: listed on the page, never exported
    PatientData(Invitation, erase=_erase_invitations),  # a credential, like the session
    PatientData(TOTPDevice, rows=_devices, erase=_erase_devices),
    *(
        PatientData(model, erase=_sign_in_logs(model))
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    ),
)


def scrub_login(user: User) -> None:
    """Close the login and empty it. The row stays: audit rows point at their actor."""
    user.username = f"erased-{uuid.uuid4().hex[:20]}"
    user.email = ""
    user.phone_number = ""
    user.first_name = ""
    user.last_name = ""
    user.password = make_password(None)  # unusable: nobody can sign in as it again
    user.is_active = False
    user.last_login = None
    user.save()


def active_service_admin(username: str) -> User | None:
    """The active service admin signed in as `username` at the command line, or None."""
    admin = User.objects.filter(username=username, is_active=True).first()
    if admin is None or admin.role != Role.SERVICE_ADMIN or admin.service_id is None:
        return None
    return admin


def live_session_keys(user: User) -> list[str]:
    """Keys of the user's unexpired sessions (the user id sits inside the session blob)."""
    keys = []
    for session in Session.objects.filter(expire_date__gt=clock.now()).iterator(EXPORT_CHUNK):
        if str(session.get_decoded().get("_auth_user_id")) == str(user.id):
            keys.append(session.session_key)
    return keys
