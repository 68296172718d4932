"""Structured logging that never writes personal data (names, free text, answers, contacts).

Three layers, from the source outwards:
1. Code logs ids and codes only (house rule); structlog events carry them as key/values.
2. Every log record, from any library, is scrubbed when it is created (a LogRecord factory):
   its message loses e-mail addresses, phone and NHS-like numbers, and an exception keeps only
   its type and frames, never its message (which may quote the value that failed) or locals.
   Because this happens at creation, every handler (files, test capture, aggregators) sees the
   scrubbed record.
3. structlog's processors replace the values of known-sensitive keys (note, answers, name…).

Settings wire it with LOGGING_CONFIG = "careloop.core.logging.configure": JSON lines in
production, a readable console format in development. Each request gets an id (X-Request-ID)
bound into every record it logs, so a 500 can be traced without logging the request itself.
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
import traceback
import uuid
from collections.abc import Callable, MutableMapping
from types import TracebackType
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse

REDACTED = "[redacted]"
SENSITIVE_KEYS = frozenset(
    {
        "address",
        "answers",
        "body",
        "content",
        "display_name",
        "email",
        "first_name",
        "free_text",
        "last_name",
        "name",
        "note",
        "notes",
        "password",
        "phone",
        "phone_number",
        "post_data",
        "reason",
        "text",
        "username",
    }
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# Runs of digits with the separators people write numbers with (+44 7700 900123, 943-476-5919).
_NUMBER_RUN = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{6,}\d(?![\w-])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_FRAME_LIMIT = 12


def _scrub_number(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 9 or _DATE.search(text):  # short counts, ids and timestamps stay readable
        return text
    return "[number]"


def scrub(text: str) -> str:
    """Remove e-mail addresses and phone/NHS-like numbers from free text."""
    return _NUMBER_RUN.sub(_scrub_number, _EMAIL.sub("[email]", text))


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def summarise_exception(exc_info: ExcInfo) -> str:
    """Exception type and frames only: the message and locals can hold the data that failed."""
    exc_type, _, tb = exc_info
    frames = traceback.extract_tb(tb)[-_FRAME_LIMIT:]
    where = " < ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in frames[::-1])
    return f"{exc_type.__module__}.{exc_type.__qualname__} at {where or 'unknown'}"


# --- layer 2: every stdlib record ---------------------------------------------------------------

_base_factory = logging.getLogRecordFactory()


def _redacting_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = summarise_exception(record.exc_info)
        record.exc_info = None
    if isinstance(record.msg, str):  # structlog's records carry a dict, scrubbed by layer 3
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a badly formatted call: keep the template only
            message = record.msg
        record.msg, record.args = scrub(message), ()
    return record


# --- layer 3: structlog processors --------------------------------------------------------------


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Sensitive keys lose their value; other strings are scrubbed; exceptions are summarised."""
    for key, value in list(event_dict.items()):
        if key.startswith("_"):
            continue
        if key.lower() in SENSITIVE_KEYS:
            event_dict[key] = REDACTED
        elif key == "exc_info" and value:
            info = value if isinstance(value, tuple) else None
            if value is True or isinstance(value, BaseException):
                info = (
                    sys.exc_info() if value is True else (type(value), value, value.__traceback__)
                )
            del event_dict["exc_info"]
            if info and info[0] is not None:
                event_dict["exception"] = summarise_exception(info)
        elif isinstance(value, str):
            event_dict[key] = scrub(value)
    return event_dict


def _exception_from_record(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    record = event_dict.get("_record")
    if record is not None and record.exc_text and "exception" not in event_dict:
        event_dict["exception"] = record.exc_text
    return event_dict


_SHARED: list[Callable[..., Any]] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def formatter(json: bool) -> dict[str, Any]:
    """The dictConfig formatter entry: structlog renders stdlib and structlog records alike."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=lambda *_: None)
    )
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "foreign_pre_chain": [*_SHARED, _exception_from_record, redact],
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    }


def configure(logging_settings: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: stdlib dictConfig, the record factory, then structlog."""
    logging.setLogRecordFactory(_redacting_record_factory)
    logging.config.dictConfig(logging_settings)
    structlog.configure(
        processors=[
            *_SHARED,
            redact,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


class RequestIdMiddleware:
    """Give each request an id, bind it to every record it logs, and echo it in X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
