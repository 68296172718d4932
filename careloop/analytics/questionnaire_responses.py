"""Score a FHIR R4 QuestionnaireResponse with Careloop's own scorer, and check its stored total.

Pure (no Django): the instrument library and scoring in careloop.instruments are pure too.

1. Refuse anything that is not a completed (or amended) QuestionnaireResponse.
2. Walk every item, nested groups and answers included.
3. Map each question to the instrument's item: by the LOINC code on the item, else by its
   linkId — Careloop's own ("1"…"9"), or the HL7 SDC example style "H1/T1/Q4" (→ item 4).
4. Map each answer to Careloop's LOINC answer code: a LOINC coding as is; an HL7 SDC CSPHQ9 code
   through `SDC_PHQ9_ANSWERS`. Then `InstrumentDefinition.answers_from_codes` turns codes into
   response values, so an unknown code is an error, never a silent zero.
5. The stored total is the numeric answer of the item coded with the instrument's LOINC total
   (44261-6 for PHQ-9), else of the one other item with a numeric answer.
6. Score with `careloop.instruments.scoring.score`; `mismatch` is True when a stored total
   exists and differs from Careloop's total. The caller decides what to do (import refuses or
   flags); nothing here trusts the stored total.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from careloop.instruments.library import (
    LOINC_SYSTEM,
    InstrumentDefinition,
    InvalidDefinition,
    get_instrument,
)
from careloop.instruments.scoring import ScoreResult, ScoringError, score

SCOREABLE_STATUSES = frozenset({"completed", "amended"})
SDC_PHQ9_SYSTEM = "http://hl7.org/fhir/uv/sdc/CodeSystem/CSPHQ9"
# HL7 SDC CodeSystem CSPHQ9 (/work/shared/data/fhir_r4/CodeSystem-CSPHQ9.json) → LOINC LL358-3.
# The displays are identical, and the SDC Questionnaire's VSPHQ9 ordinalValues are 0–3 like
# LL358-3 (clinical_spec.md §1). Two SDC codes contain spaces: they are matched exactly.
SDC_PHQ9_ANSWERS = {
    "Not-at-all": "LA6568-5",
    "Several-days": "LA6569-3",
    "More than half the days": "LA6570-1",
    "Nearly every day": "LA6571-9",
}
_SDC_LINK_ID = re.compile(r"(?:^|/)Q(\d+)$")


class InvalidQuestionnaireResponse(ValueError):
    """The resource cannot be scored; the message says why."""


@dataclass(frozen=True)
class QuestionnaireResponseScore:
    response_id: str | None
    result: ScoreResult
    answers: tuple[int | None, ...]
    stored_total: float | None
    answer_systems: tuple[str, ...]  # which answer vocabularies the response used

    @property
    def total(self) -> float | int | None:
        return self.result.total

    @property
    def mismatch(self) -> bool:
        """The response's own total disagrees with Careloop's score of its answers."""
        return self.stored_total is not None and self.stored_total != self.result.total

    @property
    def message(self) -> str | None:
        if not self.mismatch:
            return None
        return (
            f"stored total {self.stored_total:g} disagrees with the answers, which score "
            f"{self.result.total} ({self.result.versioned_id}); the stored total was not used"
        )


def score_questionnaire_response(
    qr: Mapping[str, Any], *, instrument_id: str = "phq9"
) -> QuestionnaireResponseScore:
    """Score a QuestionnaireResponse for `instrument_id` (steps in the module docstring)."""
    _check_resource(qr)
    definition = get_instrument(instrument_id)
    codes: dict[str, str] = {}
    systems: set[str] = set()
    numeric: list[tuple[Mapping[str, Any], float]] = []
    for item in _items(qr.get("item", [])):
        answer = _single_answer(item)
        if answer is None:
            continue
        value = _number(answer)
        if value is not None:
            numeric.append((item, value))
            continue
        link_id = _item_link_id(definition, item)
        code, system = _answer_code(instrument_id, link_id, answer)
        codes[link_id] = code
        systems.add(system)
    try:
        answers = definition.answers_from_codes(codes)
        result = score(instrument_id, answers)
    except (InvalidDefinition, ScoringError) as error:
        raise InvalidQuestionnaireResponse(str(error)) from error
    return QuestionnaireResponseScore(
        response_id=qr.get("id"),
        result=result,
        answers=tuple(answers),
        stored_total=_stored_total(definition, numeric),
        answer_systems=tuple(sorted(systems)),
    )


def _check_resource(qr: Mapping[str, Any]) -> None:
    if not isinstance(qr, Mapping) or qr.get("resourceType") != "QuestionnaireResponse":
        raise InvalidQuestionnaireResponse("not a FHIR QuestionnaireResponse")
    if qr.get("status") not in SCOREABLE_STATUSES:
        raise InvalidQuestionnaireResponse(
            f"status {qr.get('status')!r} cannot be scored; expected completed or amended"
        )
    if not isinstance(qr.get("item", []), list):
        raise InvalidQuestionnaireResponse("item must be a list")


def _items(items: list[Any]) -> Iterator[Mapping[str, Any]]:
    """Every item, depth first: nested items and items nested under answers included."""
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("linkId"), str):
            raise InvalidQuestionnaireResponse("every item needs a linkId")
        yield item
        yield from _items(item.get("item", []))
        for answer in item.get("answer", []):
            yield from _items(answer.get("item", []) if isinstance(answer, Mapping) else [])


def _single_answer(item: Mapping[str, Any]) -> Mapping[str, Any] | None:
    answers = [a for a in item.get("answer", []) if any(k.startswith("value") for k in a)]
    if len(answers) > 1:
        raise InvalidQuestionnaireResponse(f"item {item['linkId']}: more than one answer")
    return answers[0] if answers else None


def _number(answer: Mapping[str, Any]) -> float | None:
    for key in ("valueInteger", "valueDecimal"):
        if key in answer:
            return float(answer[key])
    quantity = answer.get("valueQuantity")
    if isinstance(quantity, Mapping) and "value" in quantity:
        return float(quantity["value"])
    return None


def _item_link_id(definition: InstrumentDefinition, item: Mapping[str, Any]) -> str:
    for coding in item.get("code", []):
        if coding.get("system") == LOINC_SYSTEM:
            for known in definition.items:
                if known.loinc == coding.get("code"):
                    return known.link_id
    link_id = str(item["linkId"])
    if any(known.link_id == link_id for known in definition.items):
        return link_id
    match = _SDC_LINK_ID.search(link_id)
    if match and any(known.link_id == match.group(1) for known in definition.items):
        return match.group(1)
    raise InvalidQuestionnaireResponse(
        f"item {link_id!r} is not a {definition.title} question Careloop recognises"
    )


def _answer_code(instrument_id: str, link_id: str, answer: Mapping[str, Any]) -> tuple[str, str]:
    coding = answer.get("valueCoding")
    if not isinstance(coding, Mapping) or not isinstance(coding.get("code"), str):
        raise InvalidQuestionnaireResponse(f"item {link_id}: the answer is not a coded choice")
    code, system = coding["code"], coding.get("system")
    if system == LOINC_SYSTEM:
        return code, LOINC_SYSTEM
    # The SDC examples leave out the system; their codes are CSPHQ9 codes (PROVENANCE.md).
    if instrument_id == "phq9" and system in (None, SDC_PHQ9_SYSTEM) and code in SDC_PHQ9_ANSWERS:
        return SDC_PHQ9_ANSWERS[code], SDC_PHQ9_SYSTEM
    raise InvalidQuestionnaireResponse(
        f"item {link_id}: answer code {code!r} (system {system or 'none'}) is not recognised"
    )


def _stored_total(
    definition: InstrumentDefinition, numeric: list[tuple[Mapping[str, Any], float]]
) -> float | None:
    coded = [
        value
        for item, value in numeric
        if any(
            c.get("system") == LOINC_SYSTEM and c.get("code") == definition.loinc_total
            for c in item.get("code", [])
        )
    ]
    candidates = coded or [value for _, value in numeric]
    if len(candidates) > 1:
        raise InvalidQuestionnaireResponse("more than one numeric answer could be the total")
    return candidates[0] if candidates else None
