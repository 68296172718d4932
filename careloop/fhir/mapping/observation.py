"""Assessment → FHIR Observations: the total score and one Observation per answered item.

Observations are views of the stored assessment, not separate rows: their ids are derived
(`<assessment id>-total`, `<assessment id>-item-<linkId>`), so they can never drift from the
answers they came from. Codes are LOINC where the definition has a verified code, otherwise a
Careloop-local code (UNVERIFIED LOINC codes are never emitted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from careloop.fhir.mapping.common import (
    INSTRUMENT_ITEM_SYSTEM,
    INSTRUMENT_TOTAL_SYSTEM,
    LOINC,
    OBSERVATION_CATEGORY,
    UCUM,
    Resource,
    instant,
    reference,
    with_meta,
)
from careloop.fhir.mapping.questionnaire_response import AssessmentRecord, answer_coding
from careloop.instruments.library import InstrumentDefinition, InstrumentItem

TOTAL = "total"
SURVEY_CATEGORY = [
    {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
]
# A score is a dimensionless count: UCUM's plain "1", with "score" as the human-readable unit.
# (The annotation "{score}" is valid UCUM too, but validators warn that an annotation carries
# no meaning; "1" is what the UCUM specification advises for counts without a unit.)
SCORE_UNIT = {"unit": "score", "system": UCUM, "code": "1"}


@dataclass(frozen=True)
class Code:
    system: str
    code: str

    @property
    def token(self) -> str:
        return f"{self.system}|{self.code}"


def total_code(definition: InstrumentDefinition) -> Code:
    if definition.loinc_total:
        return Code(LOINC, definition.loinc_total)
    return Code(INSTRUMENT_TOTAL_SYSTEM, definition.id)


def item_code(definition: InstrumentDefinition, item: InstrumentItem) -> Code:
    if item.loinc:
        return Code(LOINC, item.loinc)
    return Code(INSTRUMENT_ITEM_SYSTEM, f"{definition.id}/{item.link_id}")


def observation_parts(assessment: AssessmentRecord, definition: InstrumentDefinition) -> list[str]:
    """Which Observations an assessment yields: 'total' and/or the answered items' linkIds."""
    parts = [TOTAL] if assessment.score_total is not None else []
    if assessment.items_available:
        parts += [
            item.link_id
            for item, value in zip(definition.items, assessment.answers, strict=False)
            if value is not None
        ]
    return parts


def observation_id(assessment_id: object, part: str) -> str:
    return f"{assessment_id}-{TOTAL}" if part == TOTAL else f"{assessment_id}-item-{part}"


def part_code(definition: InstrumentDefinition, part: str) -> Code:
    if part == TOTAL:
        return total_code(definition)
    return item_code(definition, next(i for i in definition.items if i.link_id == part))


def observation_resource(
    assessment: AssessmentRecord,
    definition: InstrumentDefinition,
    part: str,
    *,
    source_identifier: dict[str, str] | None = None,
) -> Resource:
    """One Observation of an assessment; `part` comes from `observation_parts`."""
    code = part_code(definition, part)
    resource: Resource = {
        "resourceType": "Observation",
        "id": observation_id(assessment.id, part),
        "status": "final",
        "category": SURVEY_CATEGORY,
        "code": {"coding": [{"system": code.system, "code": code.code}]},
        "subject": reference("Patient", assessment.patient_id),
        "effectiveDateTime": instant(assessment.completed_at),
        "issued": instant(assessment.recorded_at),
        # Who answered: every instrument in the library is a self-report questionnaire, so the
        # patient, whoever typed the answers in (the QuestionnaireResponse's author says that).
        "performer": [reference("Patient", assessment.patient_id)],
    }
    if source_identifier is not None:
        resource["identifier"] = [source_identifier]
    if part == TOTAL:
        resource["code"]["text"] = f"{definition.title} total score"
        resource["valueQuantity"] = {"value": total_value(assessment.score_total)} | SCORE_UNIT
    else:
        resource.update(_item_value(assessment, definition, part))
    if assessment.items_available:
        resource["derivedFrom"] = [reference("QuestionnaireResponse", assessment.id)]
    return with_meta(resource, assessment.recorded_at)


def _item_value(
    assessment: AssessmentRecord, definition: InstrumentDefinition, link_id: str
) -> Resource:
    position = next(i for i, item in enumerate(definition.items) if item.link_id == link_id)
    item = definition.items[position]
    value = assessment.answers[position]
    coding = answer_coding(item, value) if value is not None else None
    return {"valueCodeableConcept": {"coding": [coding] if coding else [], "text": item.text}}


def total_value(total: float | None) -> int | float:
    """The total as valueQuantity.value: whole scores as integers."""
    if total is None:
        raise ValueError("an assessment without a total has no total Observation")
    return int(total) if float(total).is_integer() else total


def codes_by_token(definitions: Sequence[InstrumentDefinition]) -> dict[str, set[tuple[str, str]]]:
    """Every Observation code token → the (instrument id, part) pairs carrying it.

    Item LOINC codes are shared (PHQ-2 items are PHQ-9 items 1–2), hence a set per token.
    """
    index: dict[str, set[tuple[str, str]]] = {}
    for definition in definitions:
        index.setdefault(total_code(definition).token, set()).add((definition.id, TOTAL))
        for item in definition.items:
            token = item_code(definition, item).token
            index.setdefault(token, set()).add((definition.id, item.link_id))
    return index
