"""Errors raised by the pure scorers; every message is one human-readable sentence."""

from __future__ import annotations


class ScoringError(ValueError):
    """Base class: the request cannot be scored as given."""


class InvalidAnswers(ScoringError):
    """The answers do not fit the instrument (count, range, type or too many missing items)."""


class InvalidContext(ScoringError):
    """A scoring option (sex, cut-off choice …) is unknown or out of range."""


class UnknownInstrument(ScoringError):
    """No instrument with this id exists in the library or the scoring registry."""

    def __init__(self, instrument_id: str, known: tuple[str, ...] = ()) -> None:
        self.instrument_id = instrument_id
        hint = f"; known instruments: {', '.join(known)}" if known else ""
        super().__init__(f"unknown instrument {instrument_id!r}{hint}")
