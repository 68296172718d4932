"""Assessment ⇄ FHIR QuestionnaireResponse.

Outbound: one answer item per answered question, each a valueCoding from the instrument's
definition (LOINC LA codes where verified). Inbound: a completed response is reduced to
{linkId: answer code} so `InstrumentDefinition.answers_from_codes` can map it to the values
the scorer takes; nothing here scores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from careloop.fhir.mapping.common import (
    CLIENT_ID_SYSTEM,
    Resource,
    client_id_identifier,
    instant,
    instrument_id_from_fhir,
    reference,
    with_meta,
)
from careloop.fhir.mapping.dates import InvalidDate, parse_instant
from careloop.fhir.mapping.questionnaire import canonical
from careloop.instruments.library import (
    InstrumentDefinition,
    InstrumentItem,
    UnknownInstrument,
    get_instrument,
    list_instruments,
)

# in-progress too: a partly answered response whose risk item was answered is stored (unscored)
# and alerted on; without a risk answer submission refuses it naming the missing items (HZ-017).
SCORABLE_STATUSES = frozenset({"completed", "amended", "in-progress"})


class AssessmentRecord(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def patient_id(self) -> uuid.UUID: ...
    @property
    def instrument_id(self) -> str: ...
    @property
    def instrument_version(self) -> str: ...
    @property
    def answers(self) -> Sequence[int | None]: ...
    @property
    def score_total(self) -> float | None: ...
    @property
    def completed_at(self) -> datetime: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def client_id(self) -> uuid.UUID: ...
    @property
    def items_available(self) -> bool: ...


# An incomplete assessment (stored unscored only because a risk item was answered, HZ-017) is
# a response still in progress, never a "completed" one a reader could take as scored.
_RESPONSE_STATUS = {"complete": "completed", "incomplete": "in-progress"}


def answer_coding(item: InstrumentItem, value: int) -> dict[str, str] | None:
    """The valueCoding of the option whose response value is `value`."""
    for option in item.options:
        if option.value == value:
            return {"system": option.system, "code": option.code, "display": option.display}
    return None


def questionnaire_response_resource(
    assessment: AssessmentRecord,
    definition: InstrumentDefinition,
    *,
    author: dict[str, str] | None = None,
) -> Resource:
    items = []
    for item, value in zip(definition.items, assessment.answers, strict=False):
        coding = answer_coding(item, value) if value is not None else None
        if coding is not None:
            entry = {"linkId": item.link_id, "text": item.text, "answer": [{"valueCoding": coding}]}
            items.append(entry)
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(assessment.id),
        "identifier": client_id_identifier(assessment.client_id),
        "questionnaire": canonical(definition),
        # Records without a status (older call sites, test doubles) are complete ones.
        "status": _RESPONSE_STATUS.get(getattr(assessment, "status", "complete"), "completed"),
        "subject": reference("Patient", assessment.patient_id),
        "authored": instant(assessment.completed_at),
    }
    if author is not None:
        resource["author"] = author
    if items:
        resource["item"] = items
    return with_meta(resource, assessment.recorded_at)


# ------------------------------------------------------------------ inbound


class ResponseRejected(ValueError):
    """The response cannot be stored; `status` is the HTTP status the edge should answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class IncomingResponse:
    definition: InstrumentDefinition
    patient_id: str
    client_id: uuid.UUID | None
    completed_at: datetime | None
    answer_codes: Mapping[str, str]


def read_questionnaire_response(resource: Mapping[str, Any]) -> IncomingResponse:
    """Reduce a structurally valid QuestionnaireResponse to what submission needs.

    1. Only completed, amended or in-progress responses are taken (see SCORABLE_STATUSES).
    2. The questionnaire must be one of ours; a stated version must be the current one.
    3. The subject must be a Patient reference; the identifier becomes the client id.
    4. Every answered item carries exactly one valueCoding, valueInteger or valueDecimal.
    """
    status = resource.get("status")
    if status not in SCORABLE_STATUSES:
        raise ResponseRejected(
            f"status {status!r}: only completed, amended or in-progress responses are accepted"
        )
    definition = _definition_for(resource.get("questionnaire"))
    return IncomingResponse(
        definition=definition,
        patient_id=_patient_id(resource.get("subject")),
        client_id=_client_id(resource.get("identifier")),
        completed_at=_authored(resource.get("authored")),
        answer_codes=_answer_codes(definition, resource.get("item") or []),
    )


def _definition_for(questionnaire: object) -> InstrumentDefinition:
    if not isinstance(questionnaire, str) or not questionnaire:
        raise ResponseRejected("questionnaire is required (e.g. Questionnaire/phq9)")
    url, _, version = questionnaire.partition("|")
    definition = _by_url(url)
    if version and version != definition.version:
        raise ResponseRejected(
            f"{definition.title} version {version} is not served here "
            f"(current: {definition.version})"
        )
    return definition


def _by_url(url: str) -> InstrumentDefinition:
    for definition in list_instruments():
        if definition.url == url:
            return definition
    if url.startswith("Questionnaire/"):
        try:
            return get_instrument(instrument_id_from_fhir(url.removeprefix("Questionnaire/")))
        except UnknownInstrument:
            pass
    raise ResponseRejected(f"unknown questionnaire {url!r}")


def _patient_id(subject: object) -> str:
    text = subject.get("reference") if isinstance(subject, Mapping) else None
    if not isinstance(text, str) or not text.startswith("Patient/"):
        raise ResponseRejected("subject must reference the Patient (Patient/<id>)")
    return text.removeprefix("Patient/")


def client_id_for(system: str, value: str) -> uuid.UUID:
    """A urn:uuid identifier is the client id; any other identifier maps to a stable uuid5,
    so a sender's own business identifier makes its retries idempotent too."""
    if system in ("", CLIENT_ID_SYSTEM) and value.startswith("urn:uuid:"):
        try:
            return uuid.UUID(value.removeprefix("urn:uuid:"))
        except ValueError:
            raise ResponseRejected(f"identifier {value!r} is not a valid urn:uuid") from None
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{system}|{value}")


def _client_id(identifier: object) -> uuid.UUID | None:
    if not isinstance(identifier, Mapping) or not identifier.get("value"):
        return None
    return client_id_for(str(identifier.get("system", "")), str(identifier["value"]))


def _authored(authored: object) -> datetime | None:
    if authored is None:
        return None
    try:
        return parse_instant(str(authored))
    except InvalidDate as error:
        raise ResponseRejected(str(error)) from None


def _flatten(items: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for item in items:
        yield item
        yield from _flatten(item.get("item") or [])
        for answer in item.get("answer") or []:
            yield from _flatten(answer.get("item") or [])


def _answer_codes(definition: InstrumentDefinition, items: Sequence[Any]) -> dict[str, str]:
    by_link = {item.link_id: item for item in definition.items}
    codes: dict[str, str] = {}
    for entry in _flatten(items):
        answers = entry.get("answer") or []
        link_id = str(entry.get("linkId"))
        if not answers:
            continue
        if link_id not in by_link:
            raise ResponseRejected(f"{definition.title} has no item {link_id!r}")
        if len(answers) != 1:
            raise ResponseRejected(f"item {link_id}: exactly one answer is expected")
        codes[link_id] = _code_of(by_link[link_id], answers[0])
    return codes


def _code_of(item: InstrumentItem, answer: Mapping[str, Any]) -> str:
    if "valueCoding" in answer:
        coding = answer["valueCoding"] or {}
        option = item.option_for_code(str(coding.get("code")))
        if option is None or coding.get("system", option.system) != option.system:
            raise ResponseRejected(f"item {item.link_id}: unknown answer {coding.get('code')!r}")
        return option.code
    for key in ("valueInteger", "valueDecimal"):
        if key in answer:
            return _code_for_ordinal(item, answer[key])
    raise ResponseRejected(f"item {item.link_id}: answer with valueCoding or valueInteger")


def _code_for_ordinal(item: InstrumentItem, ordinal: object) -> str:
    """An ordinal answer is the option's ordinalValue (item score), or its value if unscored.

    A JSON boolean is not a number (Python's True == 1 would score it as 1; HZ-018).
    """
    if isinstance(ordinal, bool) or not isinstance(ordinal, int | float):
        raise ResponseRejected(f"item {item.link_id}: {json_repr(ordinal)} is not a number")
    for option in item.options:
        weight = option.score if option.score is not None else option.value
        if weight is not None and weight == ordinal:
            return option.code
    raise ResponseRejected(f"item {item.link_id}: no answer has the ordinal {ordinal!r}")


def json_repr(value: object) -> str:
    """How the sender wrote the value (true, not True), for error messages."""
    return str(value).lower() if isinstance(value, bool) else repr(value)
