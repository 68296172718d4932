"""An assessment's Observation and QuestionnaireResponse NDJSON lines, through shapes compiled
from the REST mappers (shapes.py), so a bulk file says exactly what a read of the same resource
says, meta.versionId included.

Per instrument, an Observation's content is fixed but for the assessment's ids, two instants,
the total and (imported ones) the source identifier; its coding follows from the item and the
answer. So there is one shape per (part, answer, has QuestionnaireResponse, has source). A
QuestionnaireResponse has one shape per (author kind, has items); its `item` array is joined
from one serialised entry per (item, answer). No Django here.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, NamedTuple

from careloop.fhir.bulk.shapes import (
    LINE_ENCODER,
    Shape,
    Slot,
    compile_shape,
    json_text,
    line_text,
)
from careloop.fhir.mapping.common import Resource, instant, reference
from careloop.fhir.mapping.observation import (
    TOTAL,
    observation_parts,
    observation_resource,
    total_value,
)
from careloop.fhir.mapping.questionnaire_response import questionnaire_response_resource
from careloop.instruments.library import InstrumentDefinition

AuthorKind = Literal["Patient", "Practitioner"]
SOURCE_KEYS = ("system", "value")  # in this order: JSON keeps the dict's key order


class AssessmentRow(NamedTuple):
    """One assessment as the export's query selects it: the columns the mappers read, with the
    two times already as R4 instants (common.instant), which is all a line needs of them."""

    id: uuid.UUID
    patient_id: uuid.UUID
    instrument_id: str
    instrument_version: str
    answers: Sequence[int | None]
    score_total: float | None
    completed: str
    recorded: str
    client_id: uuid.UUID
    items_available: bool
    status: str = "complete"  # "incomplete": mapped by the REST mapper itself (line() below)

    # The mapper's AssessmentRecord (questionnaire_response.py) reads datetimes; an instant
    # read back gives the same instant again (milliseconds, UTC).
    @property
    def completed_at(self) -> datetime:
        return datetime.fromisoformat(self.completed)

    @property
    def recorded_at(self) -> datetime:
        return datetime.fromisoformat(self.recorded)


@dataclass(frozen=True)
class Author:
    kind: AuthorKind
    id: uuid.UUID


def author_of(
    row: AssessmentRow, submitted_by: uuid.UUID | None, patient_user: object
) -> Author | None:
    """The QuestionnaireResponse author, as careloop.fhir.search.assessments decides it: the
    patient when they submitted it themselves, else the submitting practitioner."""
    if submitted_by is None:
        return None
    if submitted_by == patient_user:
        return Author("Patient", row.patient_id)
    return Author("Practitioner", submitted_by)


@dataclass(frozen=True)
class _Sample:
    """Values whose text cannot occur in a definition: one set marks the slots, one checks."""

    assessment_id: uuid.UUID
    patient_id: uuid.UUID
    completed_at: datetime
    recorded_at: datetime
    total: float
    client_id: uuid.UUID
    author_id: uuid.UUID
    source: dict[str, str]
    items: str  # the QuestionnaireResponse item array's marker

    def row(self, answers: Sequence[int | None], items_available: bool) -> AssessmentRow:
        return AssessmentRow(
            self.assessment_id, self.patient_id, "", "", answers, self.total,
            instant(self.completed_at), instant(self.recorded_at), self.client_id,
            items_available,
        )  # fmt: skip

    def plain(self) -> list[str]:
        return _plain(
            self.assessment_id, self.patient_id, instant(self.completed_at),
            instant(self.recorded_at), _number(self.total), self.client_id, self.author_id,
        )  # fmt: skip


def _plain(
    assessment_id: uuid.UUID,
    patient_id: uuid.UUID,
    completed: str,
    recorded: str,
    total: str,
    client_id: uuid.UUID | None,
    author_id: uuid.UUID | None,
) -> list[str]:
    """Slots 0–6, shared by both types (None: a slot the type has no field for); slots 7 and 8
    are whole JSON values."""
    return [
        str(assessment_id), str(patient_id), completed, recorded, total,
        str(client_id) if client_id is not None else "",
        str(author_id) if author_id is not None else "",
    ]  # fmt: skip


def _number(total: float | None) -> str:
    return "" if total is None else LINE_ENCODER.encode(total_value(total))


MARKED = _Sample(
    uuid.UUID("5a7e0000-0000-4000-8000-00000000a551"),
    uuid.UUID("5a7e0000-0000-4000-8000-00000000fa71"),
    datetime(1903, 1, 2, 3, 4, 5, 601000, tzinfo=UTC),
    datetime(1904, 6, 7, 8, 9, 10, 702000, tzinfo=UTC),
    98765.4321,
    uuid.UUID("5a7e0000-0000-4000-8000-00000000c11e"),
    uuid.UUID("5a7e0000-0000-4000-8000-00000000a07a"),
    {"system": "careloop-marker-source-system", "value": "careloop-marker-source-value"},
    "careloop-marker-items",
)
CHECK = _Sample(
    uuid.uuid4(), uuid.uuid4(),
    datetime(2031, 12, 30, 23, 58, 59, 999999, tzinfo=UTC),
    datetime(2032, 1, 1, 0, 0, 0, tzinfo=UTC),
    7.0, uuid.uuid4(), uuid.uuid4(),
    {"system": "urn:check:ü{x}", "value": 'a "quoted" \\ value'},
    "unused",
)  # fmt: skip
PLAIN_SLOTS = [Slot(text) for text in MARKED.plain()]


class ObservationLines:
    """The Observation lines of one instrument's assessments."""

    def __init__(self, definition: InstrumentDefinition) -> None:
        self.definition = definition
        self._position = {item.link_id: index for index, item in enumerate(definition.items)}
        self._shapes: dict[tuple[str, int | None, bool, bool], Shape] = {}
        self._slots = [
            *PLAIN_SLOTS,
            Slot(MARKED.source["system"], whole=True),
            Slot(MARKED.source["value"], whole=True),
        ]

    def lines(self, row: AssessmentRow, source: Mapping[str, str] | None) -> list[str]:
        parts = observation_parts(row, self.definition)
        if source is not None and tuple(source) != SOURCE_KEYS:
            return [line_text(observation_resource(row, self.definition, part,
                                                   source_identifier=dict(source)))
                    for part in parts]  # fmt: skip  # a shape knows only {system, value}
        plain = _plain(
            row.id, row.patient_id, row.completed, row.recorded, _number(row.score_total),
            None, None,
        )  # fmt: skip
        hashed = written = [*plain, "", ""]  # shapes without a source use no slot 7 or 8
        if source is not None:
            system, value = json_text(source["system"]), json_text(source["value"])
            hashed, written = [*plain, system[0], value[0]], [*plain, system[1], value[1]]
        lines = []
        for part in parts:
            answer = None if part == TOTAL else row.answers[self._position[part]]
            key = (part, answer, row.items_available, source is not None)
            shape = self._shapes.get(key) or self._compile(*key)
            lines.append(shape.line(hashed, written))
        return lines

    def _compile(
        self, part: str, answer: int | None, items_available: bool, has_source: bool
    ) -> Shape:
        def mapped(sample: _Sample) -> Resource:
            answers: list[int | None] = [None] * len(self.definition.items)
            if part != TOTAL:
                answers[self._position[part]] = answer
            source = sample.source if has_source else None
            row = sample.row(answers, items_available)
            return observation_resource(row, self.definition, part, source_identifier=source)

        check_hashed, check_line = CHECK.plain(), CHECK.plain()
        for key in ("system", "value"):
            hashed, line = json_text(CHECK.source[key])
            check_hashed, check_line = [*check_hashed, hashed], [*check_line, line]
        shape = compile_shape(
            mapped(MARKED), self._slots,
            check=mapped(CHECK), check_hashed=check_hashed, check_line=check_line,
        )  # fmt: skip
        self._shapes[(part, answer, items_available, has_source)] = shape
        return shape


class QuestionnaireResponseLines:
    """The QuestionnaireResponse lines of one instrument's assessments."""

    def __init__(self, definition: InstrumentDefinition) -> None:
        self.definition = definition
        self._entries: dict[tuple[int, int], tuple[str, str] | None] = {}
        self._shapes: dict[tuple[AuthorKind | None, bool], Shape] = {}
        self._slots = [*PLAIN_SLOTS, Slot(MARKED.items, whole=True)]

    def line(self, row: AssessmentRow, author: Author | None) -> str:
        if row.status != "complete":  # rare (HZ-017): no compiled shape, the mapper itself
            by = reference(author.kind, author.id) if author is not None else None
            return line_text(questionnaire_response_resource(row, self.definition, author=by))
        entries = [
            entry
            for position, answer in enumerate(row.answers[: len(self.definition.items)])
            if answer is not None and (entry := self._entry(position, answer)) is not None
        ]
        plain = _plain(
            row.id, row.patient_id, row.completed, row.recorded, "", row.client_id,
            author.id if author is not None else None,
        )  # fmt: skip
        key = (author.kind if author is not None else None, bool(entries))
        shape = self._shapes.get(key) or self._compile(*key)
        hashed_items = "[" + ", ".join(entry[0] for entry in entries) + "]"
        line_items = "[" + ",".join(entry[1] for entry in entries) + "]"
        return shape.line([*plain, hashed_items], [*plain, line_items])

    def _mapped(
        self, sample: _Sample, answers: Sequence[int | None], author: AuthorKind | None
    ) -> Resource:
        author_id = sample.patient_id if author == "Patient" else sample.author_id
        return questionnaire_response_resource(
            sample.row(answers, True),
            self.definition,
            author=reference(author, author_id) if author is not None else None,
        )

    def _entry(self, position: int, answer: int) -> tuple[str, str] | None:
        """One answered item's entry, serialised as hashed and as written (None: no entry)."""
        key = (position, answer)
        if key not in self._entries:
            answers: list[int | None] = [None] * len(self.definition.items)
            answers[position] = answer
            items = self._mapped(MARKED, answers, None).get("item", [])
            self._entries[key] = json_text(items[0]) if items else None
        return self._entries[key]

    def _compile(self, author: AuthorKind | None, has_items: bool) -> Shape:
        answers = self._sample_answers() if has_items else []
        marked = self._mapped(MARKED, answers, author)
        if has_items:
            marked["item"] = MARKED.items
        check = self._mapped(CHECK, answers, author)
        entries = [json_text(entry) for entry in check.get("item", [])]
        check_hashed = [*CHECK.plain(), "[" + ", ".join(e[0] for e in entries) + "]"]
        check_line = [*CHECK.plain(), "[" + ",".join(e[1] for e in entries) + "]"]
        shape = compile_shape(
            marked, self._slots, check=check, check_hashed=check_hashed, check_line=check_line
        )
        self._shapes[(author, has_items)] = shape
        return shape

    def _sample_answers(self) -> list[int | None]:
        """Every item answered with its first option that has a value (checks the joining)."""
        return [
            next((option.value for option in item.options if option.value is not None), None)
            for item in self.definition.items
        ]
