"""FHIR search parameters → a checked SearchRequest (pure: no Django).

Dates take the R4 prefixes eq, ne, gt, lt, ge, le, sa, eb over the value's implicit range
(2026-03 means the whole month); `ap` is refused rather than guessed. Tokens are `code` or
`system|code`; references are `id`, `Type/id` or an absolute URL ending in `Type/id`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from careloop.fhir.mapping.dates import DateRange, InvalidDate, parse_date_range
from careloop.fhir.rest.capability import SUPPORTED, accepted_parameters

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_PREFIXED = re.compile(r"^(eq|ne|gt|lt|ge|le|sa|eb|ap)(?=\d)")
# C0 controls except tab, LF and CR (which URL-decoded text may legitimately carry), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SearchError(ValueError):
    """A search the server cannot run as asked (HTTP 400). `parameter`: the search parameter at
    fault, named in the OperationOutcome's `expression` as `http.<parameter>`."""

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclass(frozen=True)
class DateCondition:
    """Instants t satisfying: lower <= t < upper (either may be open); negate flips it."""

    lower: datetime | None
    upper: datetime | None
    negate: bool = False


def date_condition(text: str) -> DateCondition:
    match = _PREFIXED.match(text)
    prefix = match.group(1) if match else "eq"
    if prefix == "ap":
        raise SearchError("the date prefix 'ap' (approximately) is not supported")
    try:
        span: DateRange = parse_date_range(text[len(prefix) :] if match else text)
    except InvalidDate as error:
        raise SearchError(str(error)) from None
    if prefix in ("gt", "sa"):
        return DateCondition(span.end, None)
    if prefix in ("lt", "eb"):
        return DateCondition(None, span.start)
    if prefix == "ge":
        return DateCondition(span.start, None)
    if prefix == "le":
        return DateCondition(None, span.end)
    return DateCondition(span.start, span.end, negate=prefix == "ne")


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system
    code: str


def token(text: str) -> Token:
    if "|" in text:
        system, _, code = text.partition("|")
        return Token(system or None, code)
    return Token(None, text)


def reference_id(text: str, resource_type: str) -> str:
    """The id in `id`, `Type/id` or `https://…/Type/id` (a different type matches nothing)."""
    if "/" not in text:
        return text
    parts = text.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return ""


@dataclass(frozen=True)
class SearchRequest:
    resource_type: str
    params: Mapping[str, Sequence[str]] = field(default_factory=dict)
    count: int = DEFAULT_PAGE_SIZE
    offset: int = 0
    sort: tuple[tuple[str, bool], ...] = ()  # (parameter, descending)
    includes: tuple[str, ...] = ()
    summary_count: bool = False
    ignored: tuple[str, ...] = ()  # unknown parameters left out (lenient handling)

    def values(self, name: str) -> list[str]:
        """Each occurrence of `name`, with comma-separated alternatives split (OR)."""
        return [part for value in self.params.get(name, ()) for part in value.split(",") if part]


def parse_search(
    resource_type: str, query: Mapping[str, Sequence[str]], *, strict: bool = False
) -> SearchRequest:
    """Check names and values of the query.

    Unknown parameters (and modifiers) follow the R4 rule: refused (SearchError) when the
    client asked for `Prefer: handling=strict`, otherwise left out and listed in `ignored`, so
    the edge can warn in the Bundle and leave them out of the self link.
    """
    _refuse_control_characters(query)
    # A parameter with an empty value is ignored (R4 search rules, 3.1.1.5).
    query = {name: [v for v in values if v] for name, values in query.items()}
    query = {name: values for name, values in query.items() if values}
    accepted = accepted_parameters(resource_type)
    unknown = tuple(sorted(name for name in query if name not in accepted))
    if unknown and strict:
        raise SearchError(
            f"{resource_type} does not support the search parameter(s) {', '.join(unknown)}",
            parameter=unknown[0],
        )
    support = SUPPORTED[resource_type]
    params = {name: list(values) for name, values in query.items()}
    return SearchRequest(
        resource_type=resource_type,
        params={k: v for k, v in params.items() if k in support.search},
        count=min(_whole(params, "_count", DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE),
        offset=_whole(params, "_offset", 0),
        sort=_sort(params.get("_sort", []), support.sorts),
        includes=_includes(params.get("_include", []), support.includes),
        summary_count=_summary(params.get("_summary", [])),
        ignored=unknown,
    )


def _refuse_control_characters(query: Mapping[str, Sequence[str]]) -> None:
    """A NUL (or another C0 control character) is never part of a search value. PostgreSQL
    cannot even hold a NUL in a text parameter (the query failed with a 500), so it is refused
    here for every database, before any searcher sees it."""
    for name, values in query.items():
        found = [("a parameter name", _CONTROL.search(name))]
        found += [(f"the value of {_printable(name)}", _CONTROL.search(v)) for v in values]
        for where, bad in found:
            if bad is not None:
                raise SearchError(
                    f"control character U+{ord(bad.group()):04X} in {where}: not allowed in search",
                    parameter=None if where == "a parameter name" else name,
                )


def _printable(name: str) -> str:
    return repr(_CONTROL.sub("?", name))


def _whole(params: Mapping[str, Sequence[str]], name: str, default: int) -> int:
    values = params.get(name) or []
    if not values:
        return default
    text = values[-1]
    if not text.isdigit() or len(text) > 9:
        raise SearchError(f"{name} must be a whole number >= 0, not {text!r}", parameter=name)
    return int(text)


def _sort(values: Sequence[str], allowed: Sequence[str]) -> tuple[tuple[str, bool], ...]:
    keys = []
    for value in ",".join(values).split(","):
        if not value:
            continue
        name = value.removeprefix("-")
        if name not in allowed:
            raise SearchError(
                f"cannot sort by {name!r}; sortable: {', '.join(allowed) or 'none'}",
                parameter="_sort",
            )
        keys.append((name, value.startswith("-")))
    return tuple(keys)


def _includes(values: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    for value in values:
        if value not in allowed:
            raise SearchError(
                f"_include {value!r} is not supported; use {', '.join(allowed)}",
                parameter="_include",
            )
    return tuple(dict.fromkeys(values))


def _summary(values: Sequence[str]) -> bool:
    for value in values:
        if value not in ("count", "false"):
            raise SearchError("_summary supports only 'count' and 'false'", parameter="_summary")
    return "count" in values
