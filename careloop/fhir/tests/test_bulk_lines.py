"""Bulk export writes Observations and QuestionnaireResponses through compiled shapes
(careloop.fhir.bulk.shapes): every line must be byte for byte what the REST mapper's dict
serialises to, meta.versionId (the content hash) included. No database here."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careloop.fhir.bulk.assessment_lines import (
    AssessmentRow,
    Author,
    ObservationLines,
    QuestionnaireResponseLines,
    author_of,
)
from careloop.fhir.bulk.shapes import ShapeError, Slot, compile_shape, line_text
from careloop.fhir.mapping.common import instant, reference, version_id, with_meta
from careloop.fhir.mapping.observation import observation_parts, observation_resource
from careloop.fhir.mapping.questionnaire_response import questionnaire_response_resource
from careloop.instruments.library import InstrumentDefinition, list_instruments

DEFINITIONS = list_instruments()
SOURCES = [
    None,
    {"system": "urn:oid:1.2.3", "value": "obs-1"},
    {"system": 'https://example.org/ids?a={b}&c="d"', "value": "é\\ü\n%s%(x)s{0}"},
]


def row_of(
    definition: InstrumentDefinition,
    answers: list[int | None],
    *,
    total: float | None = 12.0,
    items_available: bool = True,
    moment: datetime = datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC),
) -> AssessmentRow:
    return AssessmentRow(
        uuid.uuid4(), uuid.uuid4(), definition.id, definition.versioned_id, answers, total,
        instant(moment), instant(moment + timedelta(seconds=1, microseconds=999)), uuid.uuid4(),
        items_available,
    )  # fmt: skip


def mapped_observations(
    row: AssessmentRow, definition: InstrumentDefinition, source: dict[str, str] | None
) -> list[str]:
    return [
        line_text(observation_resource(row, definition, part, source_identifier=source))
        for part in observation_parts(row, definition)
    ]


def values_of(definition: InstrumentDefinition) -> list[list[int | None]]:
    """Every answer of every item once (item k gets its option j, cycling), unanswered items,
    and a value no option has."""
    widest = max(len(item.options) for item in definition.items)
    rows: list[list[int | None]] = []
    for j in range(widest):
        rows.append([item.options[j % len(item.options)].value for item in definition.items])
    rows.append([None] * len(definition.items))
    rows.append([None, *[99] * (len(definition.items) - 1)])
    return rows


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.id)
def test_observation_lines_equal_the_mapper_for_every_answer(definition) -> None:
    lines = ObservationLines(definition)
    for answers in values_of(definition):
        for total in (None, 0.0, 12.0, 7.5, 13.333333333333334):
            for items_available in (True, False):
                for source in SOURCES:
                    row = row_of(definition, answers, total=total, items_available=items_available)
                    expected = mapped_observations(row, definition, source)
                    assert lines.lines(row, source) == expected


@pytest.mark.parametrize("definition", DEFINITIONS, ids=lambda d: d.id)
def test_questionnaire_response_lines_equal_the_mapper(definition) -> None:
    lines = QuestionnaireResponseLines(definition)
    for answers in values_of(definition):
        row = row_of(definition, answers)
        authors = (None, Author("Patient", row.patient_id), Author("Practitioner", uuid.uuid4()))
        for author in authors:
            expected = questionnaire_response_resource(
                row, definition, author=reference(author.kind, author.id) if author else None
            )
            assert lines.line(row, author) == line_text(expected)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    moment=st.datetimes(  # hypothesis takes naive bounds and adds the zone
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=datetime(9998, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    total=st.one_of(st.none(), st.floats(0, 1000, allow_nan=False)),
    source=st.one_of(st.none(), st.fixed_dictionaries({"system": st.text(), "value": st.text()})),
)
def test_any_row_gives_the_mappers_lines(data, moment, total, source) -> None:
    definition = data.draw(st.sampled_from(DEFINITIONS))
    answers = [
        data.draw(st.one_of(st.none(), st.sampled_from([o.value for o in item.options])))
        for item in definition.items
    ]
    row = row_of(definition, answers, total=total, moment=moment)
    assert ObservationLines(definition).lines(row, source) == mapped_observations(
        row, definition, source
    )
    expected = questionnaire_response_resource(row, definition)
    assert QuestionnaireResponseLines(definition).line(row, None) == line_text(expected)


def test_lines_parse_back_to_the_mappers_resources_with_the_content_hash_version() -> None:
    definition = next(d for d in DEFINITIONS if d.id == "phq9")
    row = row_of(definition, [random.Random(7).randint(0, 3) for _ in definition.items])
    for line in ObservationLines(definition).lines(row, None):
        parsed = json.loads(line)
        assert parsed["meta"]["versionId"] == version_id(parsed)
        assert "\n" not in line


@pytest.mark.parametrize(
    "source",
    [{"system": "urn:x", "value": "1", "use": "official"}, {"value": "1", "system": "urn:x"}],
)
def test_an_unexpected_source_identifier_goes_through_the_mapper(source) -> None:
    definition = DEFINITIONS[0]
    row = row_of(definition, [item.options[0].value for item in definition.items])
    assert ObservationLines(definition).lines(row, source) == mapped_observations(
        row, definition, source
    )


def test_the_author_is_the_patient_only_when_their_own_user_submitted() -> None:
    row = row_of(DEFINITIONS[0], [])
    patient_user, clinician = uuid.uuid4(), uuid.uuid4()
    assert author_of(row, None, patient_user) is None
    assert author_of(row, patient_user, patient_user) == Author("Patient", row.patient_id)
    assert author_of(row, clinician, patient_user) == Author("Practitioner", clinician)


def test_a_shape_that_cannot_reproduce_the_mapper_is_refused() -> None:
    def resource(marker: str, extra: str) -> dict[str, object]:
        return with_meta({"resourceType": "Basic", "id": marker, "note": extra}, None)

    slots = [Slot("marker-id")]
    good = compile_shape(
        resource("marker-id", "same"), slots,
        check=resource("other", "same"), check_hashed=["other"], check_line=["other"],
    )  # fmt: skip
    assert good.line(["x"], ["x"]) == line_text(resource("x", "same"))
    with pytest.raises(ShapeError):  # a value varied that no slot stands for
        compile_shape(
            resource("marker-id", "one"), slots,
            check=resource("other", "two"), check_hashed=["other"], check_line=["other"],
        )  # fmt: skip


def test_the_questionnaire_view_is_parsed_once_and_read_only() -> None:
    definition = DEFINITIONS[0]
    view = definition.questionnaire_view
    assert view is definition.questionnaire_view
    assert dict(view)["url"] == definition.url == definition.questionnaire["url"]
    with pytest.raises(TypeError):
        view["url"] = "changed"  # type: ignore[index]
    assert isinstance(view["item"], tuple)
    copy = definition.questionnaire
    copy["url"] = "changed"  # callers that edit still get their own copy
    assert definition.questionnaire["url"] == definition.url
