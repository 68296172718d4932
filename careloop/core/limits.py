"""Bounds on request bodies, checked before anything parses them (hazard HZ-025).

One deeply nested JSON body used to crash a web worker: `json.loads`, pydantic and the R4B models
all recurse once per nesting level, and a few hundred levels exhausted the stack. So every body
that may be JSON is measured here first, as text and without recursion:

- larger than JSON_MAX_BODY_BYTES -> 413 (judged from Content-Length, before the body is read);
- nested deeper than JSON_MAX_DEPTH -> 400.

"May be JSON" means a JSON content type (application/json, application/fhir+json, any */*+json)
or, whatever the content type claims, a body that starts with `{` or `[`: django-ninja parses a
body as JSON whatever its content type, so the content type alone cannot be trusted. Form posts
(urlencoded, multipart) are Django's own to bound (DATA_UPLOAD_MAX_MEMORY_SIZE).

The refusal speaks the language of the endpoint: a FHIR OperationOutcome under /fhir/ and /o/,
the JSON API's `{"detail": ...}` everywhere else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import accumulate

import structlog
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

log = structlog.get_logger(__name__)

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Paths whose clients expect FHIR's error resource (the FHIR API and the SMART/OAuth endpoints).
_FHIR_PREFIXES = ("/fhir/", "/o/")
# A complete JSON string (escapes included); its brackets are text, not structure.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = b"[]{}"
# Opening brackets become +1 and closing ones -1 (0xFF as a signed byte); everything else goes.
_STEP = bytes.maketrans(_BRACKETS, b"\x01\xff\x01\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in _BRACKETS)


class JsonTooDeep(ValueError):
    """A JSON text nests deeper than allowed (raised before it is parsed)."""


def json_depth(text: bytes) -> int:
    """The deepest nesting of arrays and objects in `text`, measured without parsing it.

    Linear and iterative (C-speed regex, translate and accumulate), so a hostile body costs
    milliseconds, not a stack. Strings are removed first, so brackets inside them do not count;
    malformed JSON is still measured (the parser rejects it later).
    """
    structure = _JSON_STRING.sub(b"", text).translate(_STEP, _NOT_BRACKETS)
    return max(accumulate(memoryview(structure).cast("b")), default=0)


def loads_bounded(text: str | bytes, max_depth: int) -> object:
    """json.loads for untrusted text, refusing (JsonTooDeep) what nests deeper than max_depth."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    depth = json_depth(raw)
    if depth > max_depth:
        raise JsonTooDeep(f"JSON nested {depth} levels deep; at most {max_depth} are accepted")
    return json.loads(text)


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json") or media == "text/json"


def _refusal(request: HttpRequest, status: int, message: str, fhir_code: str) -> HttpResponse:
    if request.path.startswith(_FHIR_PREFIXES):
        # Built here, not with careloop.fhir's helper: core sits below every domain.
        issue = {"severity": "error", "code": fhir_code, "diagnostics": message}
        body = {"resourceType": "OperationOutcome", "issue": [issue]}
        content_type = "application/fhir+json; charset=utf-8"
    else:
        body, content_type = {"detail": message}, "application/json; charset=utf-8"
    return HttpResponse(json.dumps(body), status=status, content_type=content_type)


class RequestLimitsMiddleware:
    """Refuses oversized or too deeply nested JSON bodies before any view parses them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._check(request)
        return refusal if refusal is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.lower().startswith(_FORM_TYPES):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(request, 400, "Content-Length is not a number", "invalid")
        if length <= 0:
            return None  # Django reads no body without a length
        max_bytes: int = settings.JSON_MAX_BODY_BYTES
        too_large = f"request body too large: {length} bytes; at most {max_bytes} are accepted"
        is_json = _is_json_type(content_type) or not content_type
        if is_json and length > max_bytes:
            log.info("request_refused", reason="body_too_large", path=request.path, size=length)
            return _refusal(request, 413, too_large, "too-long")
        try:
            body = request.body  # at most Content-Length bytes (and DATA_UPLOAD_MAX_MEMORY_SIZE)
        except RequestDataTooBig:
            return _refusal(request, 413, too_large, "too-long")
        if not (is_json or body.lstrip()[:1] in (b"{", b"[")):
            return None
        if length > max_bytes:
            return _refusal(request, 413, too_large, "too-long")
        max_depth: int = settings.JSON_MAX_DEPTH
        depth = json_depth(body)
        if depth > max_depth:
            log.info("request_refused", reason="json_too_deep", path=request.path, depth=depth)
            message = f"JSON nested too deep: {depth} levels; at most {max_depth} are accepted"
            return _refusal(request, 400, message, "structure")
        return None
