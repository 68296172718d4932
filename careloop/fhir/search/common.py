"""Shared pieces of running a search against the database: pages and filter builders."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from careloop.fhir.mapping.common import Resource
from careloop.fhir.search.params import SearchError, SearchRequest, date_condition, reference_id

M = TypeVar("M", bound=Model)


@dataclass
class Page:
    """One page of a search: matches, the total, included resources and whose data it shows."""

    matches: list[Resource] = field(default_factory=list)
    total: int = 0
    included: list[Resource] = field(default_factory=list)
    patient_ids: set[uuid.UUID] = field(default_factory=set)


def as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def ids_q(request: SearchRequest, name: str, field_name: str, resource_type: str) -> Q | None:
    """Q for a reference or _id parameter (OR over values); None when the parameter is absent."""
    values = request.values(name)
    if not values:
        return None
    ids = [as_uuid(reference_id(v, resource_type) if name != "_id" else v) for v in values]
    return Q(**{f"{field_name}__in": [i for i in ids if i is not None]})


def date_q(request: SearchRequest, name: str, field_name: str) -> Q | None:
    """AND over occurrences of a date parameter, OR over comma-separated values in one."""
    occurrences = request.params.get(name) or []
    if not occurrences:
        return None
    combined = Q()
    for occurrence in occurrences:
        alternatives = Q()
        for text in occurrence.split(","):
            try:
                condition = date_condition(text)
            except SearchError as error:
                raise SearchError(str(error), parameter=name) from None
            q = Q()
            if condition.lower is not None:
                q &= Q(**{f"{field_name}__gte": condition.lower})
            if condition.upper is not None:
                q &= Q(**{f"{field_name}__lt": condition.upper})
            alternatives |= ~q if condition.negate else q
        combined &= alternatives
    return combined


def apply(rows: QuerySet[M], conditions: Iterable[Q | None]) -> QuerySet[M]:
    for condition in conditions:
        if condition is not None:
            rows = rows.filter(condition)
    return rows


def ordered(
    rows: QuerySet[M],
    request: SearchRequest,
    fields: dict[str, str],
    default: Sequence[str],
) -> QuerySet[M]:
    """Order by the requested _sort keys (mapped to columns), then the default as tie-break."""
    keys = [f"-{fields[name]}" if descending else fields[name] for name, descending in request.sort]
    return rows.order_by(*keys, *default)


def window(rows: QuerySet[M], request: SearchRequest) -> tuple[list[M], int]:
    total = rows.count()
    if request.summary_count or request.count == 0:
        return [], total
    return list(rows[request.offset : request.offset + request.count]), total
