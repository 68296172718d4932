"""The JSON-lines contract of `careloop screen-text`: one request in, one result out, per line.

In:  {"id": "j-1", "text": "...", "language": "es"}   (language optional; id a string or integer)
Out: {"id": "j-1", "level": "moderate", "score": 0.5, "evidence": [...],
      "detector_version": "crisis-text@1.0.0", "model": "..."}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from careloop.safety.text.result import TextScreen

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class MalformedLine(ValueError):
    """The line is not a screen request; the message says what is wrong with it."""


@dataclass(frozen=True)
class ScreenRequest:
    request_id: str | int
    text: str
    language: str | None


def parse_request(line: str) -> ScreenRequest:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise MalformedLine(f"not valid JSON ({error.msg} at column {error.colno})") from error
    if not isinstance(data, dict):
        raise MalformedLine('expected a JSON object like {"id": "1", "text": "..."}')
    request_id = data.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, str | int):
        raise MalformedLine('"id" must be a string or an integer')
    text = data.get("text")
    if not isinstance(text, str):
        raise MalformedLine(f'"text" must be a string (id {request_id!r})')
    language = data.get("language")
    if language is not None and not isinstance(language, str):
        raise MalformedLine(f'"language" must be a string or absent (id {request_id!r})')
    # A lone surrogate (broken UTF-16 upstream) cannot be written back out; replacing it with
    # U+FFFD keeps every offset, so the text is still screened rather than refused.
    return ScreenRequest(request_id, _LONE_SURROGATE.sub("\ufffd", text), language)


def result_line(request_id: str | int, screen: TextScreen) -> str:
    data: dict[str, Any] = {"id": request_id, **screen.as_dict()}
    data.pop("language")
    return json.dumps(data, ensure_ascii=False)
