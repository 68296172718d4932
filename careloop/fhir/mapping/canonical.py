"""Careloop's canonical base, moved between the mappers' placeholder and a deployment's own.

The mappers (and the instrument definitions) write every Careloop URL under DEFAULT_BASE. The
edge (careloop.fhir.canonical) moves what leaves the server to the configured base and what
arrives back to DEFAULT_BASE, so the mappers stay pure and stored data never names a base.
No Django here.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from careloop.fhir.mapping.common import CARELOOP_FHIR

DEFAULT_BASE = CARELOOP_FHIR  # the placeholder a deployment replaces (CARELOOP_FHIR_CANONICAL_BASE)


def starts_with_base(value: str, base: str) -> bool:
    """`value` is `base` itself or a URL under it (`base/...`, or `base|version`)."""
    return value == base or value.startswith((f"{base}/", f"{base}|"))


def rebase(value: Any, old: str, new: str) -> Any:
    """`value` (a resource, or any JSON value) with every string under `old` moved to `new`."""
    if old == new:
        return value
    if isinstance(value, str):
        return new + value[len(old) :] if starts_with_base(value, old) else value
    if isinstance(value, dict):
        return {key: rebase(item, old, new) for key, item in value.items()}
    if isinstance(value, list):
        return [rebase(item, old, new) for item in value]
    return value


def rebase_json_text(text: str, old: str, new: str) -> str:
    """Serialised JSON with every string value under `old` moved to `new`.

    An unescaped quote always delimits a JSON string, so `"` + old (not preceded by a backslash)
    followed by `/`, `|` or the closing quote is exactly a string that starts with the base.
    """
    if old == new:
        return text
    replacement = '"' + json.dumps(new)[1:-1]  # `new` as JSON string content
    return _base_pattern(old).sub(lambda _: replacement, text)


@lru_cache(maxsize=8)
def _base_pattern(base: str) -> re.Pattern[str]:
    return re.compile(r'(?<!\\)"' + re.escape(base) + r'(?=[/|"])')
