"""Errors of this domain; careloop.core.api maps them to HTTP statuses (409, 422)."""

from __future__ import annotations

from careloop.core.errors import Conflict, InvalidInput


class StaleSafetyPlan(Conflict):
    """The save started from a version that is no longer the newest: nothing was saved."""


class InvalidSafetyPlan(InvalidInput):
    pass


class CrisisLineNotReviewable(InvalidInput):
    """The line is UNVERIFIED in the directory, so no confirmation can make it visible."""


class CrisisLineChanged(Conflict):
    """The reviewer saw different content from what the data file now holds."""


class CrisisLineNotConfirmed(Conflict):
    pass
