"""Users and their roles. A role says what kind of work a person does; team membership (care)
and, later, purpose of use and consent say which patients that work may touch."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from careloop.accounts.types import CARE_TEAM_ROLES, STAFF_ROLES, Role
from careloop.core.ids import uuid7
from careloop.core.models import Service

__all__ = [
    "CARE_TEAM_ROLES",
    "STAFF_ROLES",
    "Invitation",
    "Role",
    "User",
]  # the role sets live in types


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    role = models.CharField(max_length=20, choices=Role.choices)
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    preferred_language = models.CharField(max_length=16, default="en")
    phone_number = models.CharField(max_length=20, blank=True, help_text="E.164, for SMS alerts")

    @property
    def is_staff_role(self) -> bool:
        """Staff must pass TOTP multi-factor authentication before they see patient data."""
        return self.role in STAFF_ROLES

    @property
    def works_in_care_team(self) -> bool:
        return self.role in CARE_TEAM_ROLES


class Invitation(models.Model):
    """A single-use, expiring code with which a person sets their own password (issue #13).

    Only a SHA-256 of the code is stored: the code itself is shown once to the admin who made it
    (and is in the link they pass on), so a copy of the database cannot be used to sign up as
    anyone. The code carries 100 random bits, so one unsalted hash is enough (nothing to guess).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    code_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"invitation {self.id}"  # never the code (only its hash is kept)
