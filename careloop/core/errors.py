"""Domain errors shared by every domain; the HTTP edge maps them to status codes in one place."""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors a user can be told about: the message is safe to show."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Absent or not visible to this user: the two are never distinguished (no existence oracle)."""

    status_code = 404

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found")


class InvalidInput(DomainError):
    status_code = 422


class PermissionDenied(DomainError):
    """Only for actions on things the user can already see (otherwise NotFound)."""

    status_code = 403


class Conflict(DomainError):
    status_code = 409
