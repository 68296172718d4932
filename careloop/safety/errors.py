"""Safety's domain errors; the API maps each to its HTTP status through core.errors."""

from __future__ import annotations

from careloop.core.errors import Conflict, InvalidInput, PermissionDenied


class IllegalTransition(Conflict):
    """The alert's state machine has no such move (e.g. closing an alert nobody acknowledged)."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"an alert that is {current} cannot become {target}")


class SecondClinicianRequired(PermissionDenied):
    """A false positive is closed by a second clinician, not the one who called it (ASVS 2.3.5)."""

    def __init__(self) -> None:
        super().__init__("a second clinician must confirm a false positive before it is closed")


class SupervisorRequired(PermissionDenied):
    def __init__(self, what: str) -> None:
        super().__init__(f"only a supervisor of this team may change {what}")


class InvalidPolicy(InvalidInput):
    """An escalation policy or rota entry that would leave an alert with nobody to go to."""
