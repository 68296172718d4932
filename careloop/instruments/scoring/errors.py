"""Errors raised by the pure scorers; every message is one human-readable sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careloop.instruments.scoring.types import RiskFlag


class ScoringError(ValueError):
    """Base class: the request cannot be scored as given."""


class InvalidAnswers(ScoringError):
    """The answers do not fit the instrument (count, range, type or too many missing items)."""


class IncompleteAnswers(InvalidAnswers):
    """Every given answer is valid, but items the instrument needs for a score are missing.

    `missing` holds the 1-based positions of the missing items (positions, so callers map them
    to their own item ids); `risk_flags` are the flags raised by the risk items that WERE
    answered (a positive PHQ-9 item 9, a C-SSRS "yes"): an incomplete response must never hide
    a risk answer (issue #18 item 2, hazard HZ-017). A subclass of InvalidAnswers, so callers
    that only want complete, scored responses keep refusing it unchanged.
    """

    def __init__(
        self, message: str, missing: tuple[int, ...], risk_flags: tuple[RiskFlag, ...] = ()
    ) -> None:
        super().__init__(message)
        self.missing = missing
        self.risk_flags = risk_flags


class InvalidContext(ScoringError):
    """A scoring option (sex, cut-off choice …) is unknown or out of range."""


class UnknownInstrument(ScoringError):
    """No instrument with this id exists in the library or the scoring registry."""

    def __init__(self, instrument_id: str, known: tuple[str, ...] = ()) -> None:
        self.instrument_id = instrument_id
        hint = f"; known instruments: {', '.join(known)}" if known else ""
        super().__init__(f"unknown instrument {instrument_id!r}{hint}")
