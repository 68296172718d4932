"""One severity vocabulary: the scorers' flags, the rules, the Alert column and the API agree."""

from __future__ import annotations

import typing

from careloop.instruments.scoring.types import Severity
from careloop.safety import types
from careloop.safety.models import Alert
from careloop.safety.rules import SEVERITIES, most_urgent
from careloop.safety.schemas import RaiseAlertIn


def test_safety_uses_the_scorers_severity_and_stores_the_same_values() -> None:
    assert types.Severity is Severity
    assert [value for value, _ in Alert._meta.get_field("severity").choices] == [
        "low",
        "moderate",
        "high",
    ]
    assert SEVERITIES == ("low", "moderate", "high")  # least to most urgent
    assert most_urgent(["moderate", "high", "low"]) == Severity.HIGH


def test_the_api_schema_accepts_exactly_the_severities() -> None:
    # The schema keeps a Literal (the OpenAPI document is unchanged); it must name the same values.
    literal = typing.get_type_hints(RaiseAlertIn)["severity"]
    assert typing.get_args(literal) == tuple(s.value for s in Severity)
