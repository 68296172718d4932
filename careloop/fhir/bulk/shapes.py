"""Compiled resource shapes: the exact NDJSON line of a resource whose structure is fixed and
only a few values vary (ids, instants, a score), with its content-hash `meta.versionId`.

Most of a bulk export is Observations that differ from each other in a handful of values.
Building each as a dict and serialising it twice (sorted, for the content hash behind
`meta.versionId`; compact, for the file) was most of the export's time. A shape is compiled
from the real mapper's output for marker values: both serialisations become %-templates with
one field per marker. Filling one costs two string formattings and a SHA-256, and gives
byte for byte what `json.dumps` of the mapper's dict gives.

Compilation checks itself: the shape is filled with a second set of values and compared with
the mapper's own output for them, so a mapper change the shape cannot express fails loudly
instead of writing a wrong line. No Django here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from careloop.fhir.mapping.common import Resource, version_id
from careloop.fhir.mapping.narrative import without_narrative

LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_VERSION_MARKER = "careloop-shape-version-marker"


class ShapeError(RuntimeError):
    """The mapper's output cannot be reproduced from the shape (a programming error)."""


@dataclass(frozen=True)
class Slot:
    """A varying value. `marker` is how the value appears in the compile-time resource: inside
    a JSON string or as a bare number (`whole=False`: filled verbatim, so the value must need no
    JSON escaping, e.g. ids, instants, numbers), or as a whole JSON string value (`whole=True`:
    filled with ready JSON text, which may differ per serialisation)."""

    marker: str
    whole: bool = False


def hashed_text(resource: Resource) -> str:
    """What `version_id` hashes (common.py): the resource without meta and text, keys sorted."""
    body = {key: value for key, value in resource.items() if key not in ("meta", "text")}
    return json.dumps(body, sort_keys=True, default=str)


def line_text(resource: Resource) -> str:
    """The NDJSON line of a mapped resource: without its generated narrative (`text`), which
    bulk files leave out (docs/fhir.md); the content-hash version does not cover it."""
    return LINE_ENCODER.encode(without_narrative(resource))


def json_text(value: object) -> tuple[str, str]:
    """A whole-slot value: its JSON text as hashed (ASCII-escaped) and as written (compact)."""
    return json.dumps(value, sort_keys=True, default=str), LINE_ENCODER.encode(value)


class _Template:
    """A serialisation with its slots as `%s` fields, and which slot fills each field."""

    __slots__ = ("pick", "text")

    def __init__(self, text: str, order: Sequence[int]) -> None:
        self.text = text
        # itemgetter is C: far cheaper than str.format's parsing of named fields
        self.pick = (
            itemgetter(*order) if len(order) > 1 else lambda values: tuple(values[i] for i in order)
        )

    def fill(self, values: Sequence[str]) -> str:
        return self.text % self.pick(values)


class Shape:
    """Fill with `line(hashed_values, line_values)`: one value per slot, in slot order. For
    plain slots both lists hold the same text; whole slots take the two `json_text` forms."""

    __slots__ = ("_hashed", "_line")

    def __init__(self, hashed: _Template, line: _Template) -> None:
        self._hashed, self._line = hashed, line

    def line(self, hashed_values: Sequence[str], line_values: Sequence[str]) -> str:
        digest = hashlib.sha256(self._hashed.fill(hashed_values).encode("utf-8"))
        return self._line.fill((*line_values, digest.hexdigest()[:16]))


def compile_shape(
    marked: Resource,
    slots: Sequence[Slot],
    *,
    check: Resource,
    check_hashed: Sequence[str],
    check_line: Sequence[str],
) -> Shape:
    """`marked`: the mapper's resource for the markers' values; `check`: the mapper's resource
    for other values, which the shape filled with `check_hashed`/`check_line` must equal."""
    if "meta" not in marked or check.get("meta", {}).get("versionId") != version_id(check):
        raise ShapeError("only resources versioned by content hash can be compiled")
    with_version_marker = marked | {"meta": marked["meta"] | {"versionId": _VERSION_MARKER}}
    version_slot = Slot(_VERSION_MARKER)
    shape = Shape(
        _template(hashed_text(marked), slots, json_form=_hashed_form),
        _template(line_text(with_version_marker), [*slots, version_slot], json_form=_line_form),
    )
    produced = shape.line(check_hashed, check_line)
    if produced != line_text(check):
        raise ShapeError(f"shape of {marked.get('resourceType')} does not reproduce the mapper")
    return shape


def _hashed_form(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _line_form(value: object) -> str:
    return LINE_ENCODER.encode(value)


def _template(text: str, slots: Sequence[Slot], *, json_form: Callable[[object], str]) -> _Template:
    """`text` with every marker turned into a field."""
    patterns = {
        (json_form(slot.marker) if slot.whole else slot.marker): index
        for index, slot in enumerate(slots)
    }
    if len(patterns) != len(slots):
        raise ShapeError("two slots share a marker")
    alternatives = sorted(patterns, key=len, reverse=True)
    splitter = re.compile("|".join(re.escape(pattern) for pattern in alternatives))
    pieces: list[str] = []
    order: list[int] = []
    position = 0
    for match in splitter.finditer(text):
        pieces.append(text[position : match.start()].replace("%", "%%"))
        pieces.append("%s")
        order.append(patterns[match.group()])
        position = match.end()
    pieces.append(text[position:].replace("%", "%%"))
    return _Template("".join(pieces), order)
