"""Typed JSON readers: each returns the expected type or raises InvalidDefinition."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

JsonObject = Mapping[str, object]


class InvalidDefinition(ValueError):
    """An instrument definition file is malformed; the message names the file and the field."""


def obj(data: object, where: str) -> JsonObject:
    if not isinstance(data, Mapping):
        raise InvalidDefinition(f"{where}: expected an object")
    return cast(JsonObject, data)


def obj_list(data: JsonObject, key: str, where: str) -> list[JsonObject]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise InvalidDefinition(f"{where}.{key}: expected a non-empty list")
    return [obj(entry, f"{where}.{key}[{index}]") for index, entry in enumerate(value)]


def text(data: JsonObject, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidDefinition(f"{where}.{key}: expected a non-empty string")
    return value


def optional_text(data: JsonObject, key: str, where: str) -> str | None:
    if data.get(key) is None:
        return None
    return text(data, key, where)


def flag(data: JsonObject, key: str, where: str, *, default: bool | None = None) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise InvalidDefinition(f"{where}.{key}: expected true or false")
    return value


def whole_number(value: object, where: str) -> int:
    """Accept 3 or 3.0 (FHIR valueDecimal) but never 2.5 or true."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidDefinition(f"{where}: expected a whole number, got {value!r}")
    return int(value)


def text_map(data: JsonObject, key: str, where: str) -> dict[str, str]:
    value = obj(data.get(key, {}), f"{where}.{key}")
    return {name: text(value, name, f"{where}.{key}") for name in value}
