"""Free text typed by people, made safe to store and to screen (no Django).

One sanitiser for every free-text input (API schemas through `FreeText`, HTML forms and FHIR
through the services that clean their text), so a character that cannot be stored never turns a
crisis message into a server error and loses it (HZ-024):

- `valid_text` replaces every code point that cannot be encoded as UTF-8 (a lone UTF-16
  surrogate such as U+D800, Unicode category Cs) with U+FFFD REPLACEMENT CHARACTER; everything
  else is kept, so the words around it are still stored and screened.
- `clean_free_text` is what services call: valid text, unified line endings, trimmed, and a
  clear InvalidInput (422) when nothing readable is left.
- `visible_length` counts the characters a reader can see: separators (Z*), controls (Cc) and
  format characters (Cf: zero-width space, joiners, word joiner, byte-order mark...) do not count,
  so a reason made of invisible characters is recognised as empty. Categories, not a hand list.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from pydantic import BeforeValidator

from careloop.core.errors import InvalidInput

REPLACEMENT = "\ufffd"
INVALID_CATEGORIES = frozenset({"Cs"})  # surrogates: not characters, never encodable
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def valid_text(value: str) -> str:
    """`value` with every unencodable code point replaced by U+FFFD (the rest unchanged)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(
            REPLACEMENT if unicodedata.category(char) in INVALID_CATEGORIES else char
            for char in value
        )
    return value  # the common case: one C-level pass, no copy


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in INVISIBLE_CATEGORIES


def visible_length(value: str) -> int:
    """How many characters of `value` are visible (not space, control or zero-width)."""
    return sum(1 for char in value if not _invisible(char))


def strip_invisible(value: str) -> str:
    """`value` without leading and trailing spaces, controls and zero-width characters."""
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def readable(value: str) -> bool:
    """Whether `value` holds anything a person can read (not only U+FFFD and invisibles)."""
    return any(char != REPLACEMENT and not _invisible(char) for char in value)


def clean_free_text(value: str, *, what: str) -> str:
    """The one sanitiser of free text a person typed (journal, messages, check-in notes...).

    Invalid code points become U+FFFD, line endings are unified and surrounding blank space
    trimmed. Empty text is returned as "" (the caller decides whether it is required); text
    that is nothing but replacement and invisible characters is refused, because nobody could
    read it and the writer should know that nothing was said.
    """
    text = valid_text(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if text and not readable(text):
        raise InvalidInput(
            f"the {what} has no readable text (only invisible or invalid characters)"
        )
    return text


def _repaired(item: Any, stack: list[Any]) -> Any:
    """A string repaired, or a container queued for repair (returned as is)."""
    if isinstance(item, str):
        return valid_text(item)
    if isinstance(item, list | dict):
        stack.append(item)
    return item


def valid_json_text(value: Any) -> Any:
    """A freshly parsed JSON document with `valid_text` applied to every string in it (keys
    too), repaired in place. Iterative: a deeply nested document cannot exhaust the stack."""
    stack: list[Any] = []
    value = _repaired(value, stack)
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            node[:] = [_repaired(item, stack) for item in node]
            continue
        for key in list(node):
            item = _repaired(node.pop(key), stack)
            node[valid_text(key)] = item
    return value


def _valid_if_text(value: object) -> object:
    return valid_text(value) if isinstance(value, str) else value


# A free-text field of an API schema: invalid code points become U+FFFD before validation, so
# the text is stored and screened instead of failing (a 500, or a 422 that loses the words).
FreeText = Annotated[str, BeforeValidator(_valid_if_text)]
