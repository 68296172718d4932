"""Pure helpers behind the `careloop instruments` and `careloop score` commands (no Django)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from careloop.instruments.library import InstrumentDefinition
from careloop.instruments.scoring import InvalidAnswers, InvalidContext, ScoreResult

MISSING_MARKERS = frozenset({"", "-"})


def parse_answers(raw: str) -> list[int | None]:
    """Parse "0,1,,2" or "0,1,-,2" into response values; an empty or "-" entry is missing."""
    answers: list[int | None] = []
    for position, token in enumerate(raw.split(","), start=1):
        token = token.strip()
        if token in MISSING_MARKERS:
            answers.append(None)
            continue
        try:
            answers.append(int(token))
        except ValueError:
            raise InvalidAnswers(
                f"answer {position} ({token!r}) is not an integer; use digits, "
                "or leave it empty or '-' for a missing item"
            ) from None
    return answers


def parse_options(pairs: Sequence[str]) -> dict[str, object]:
    """Parse ["cutoff=31"] into {"cutoff": 31}; integer-looking values become ints."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key.strip():
            raise InvalidContext(f"option {pair!r} must look like KEY=VALUE")
        value = value.strip()
        options[key.strip()] = int(value) if value.lstrip("-").isdigit() else value
    return options


def result_json(result: ScoreResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def instrument_summary(definition: InstrumentDefinition) -> dict[str, object]:
    return {
        "id": definition.id,
        "version": definition.version,
        "versioned_id": definition.versioned_id,
        "title": definition.title,
        "items": len(definition.items),
        "scored_items": definition.scored_item_count,
        "enabled": definition.enabled,
        "disabled_reason": definition.disabled_reason,
        "recall_period": definition.recall_period,
        "loinc_panel": definition.loinc_panel,
        "loinc_total": definition.loinc_total,
        "text_is_label_only": definition.text_is_label_only,
        "unverified_loinc": dict(definition.unverified_loinc),
    }


def instruments_json(definitions: Sequence[InstrumentDefinition]) -> str:
    return json.dumps(
        [instrument_summary(definition) for definition in definitions],
        indent=2,
        ensure_ascii=False,
    )


def instruments_table(definitions: Sequence[InstrumentDefinition]) -> str:
    """A plain-text table: id, version, title, items (scored), and enabled or why not."""
    header = ("ID", "VERSION", "TITLE", "ITEMS", "STATUS")
    rows = [header] + [_row(definition) for definition in definitions]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        + "  "
        + row[-1]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def _row(definition: InstrumentDefinition) -> tuple[str, str, str, str, str]:
    items = str(len(definition.items))
    if definition.scored_item_count != len(definition.items):
        items += f" ({definition.scored_item_count} scored)"
    status = "enabled" if definition.enabled else f"disabled: {definition.disabled_reason or ''}"
    return (definition.id, definition.version, definition.title, items, status)
