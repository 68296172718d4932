"""The instrument library: versioned FHIR R4 Questionnaire definitions, loaded once (no Django).

Definition format (one file per instrument, `definitions/<id>.json`):

* A FHIR R4 Questionnaire: `url`, `version` (semver), `name`, `title`, `status`, `code` (LOINC
  panel, only when verified), and one `choice` item per question with `linkId`, `code` (LOINC,
  only when verified), `text` and `answerOption`s. Each option's `valueCoding` carries the LOINC
  answer code, or a Careloop-local code when LOINC has none. Options of scored items carry the
  `ordinalValue` extension = the item score (after reverse keying), so FHIR `weight()` sums are
  right; unscored items (difficulty items, C-SSRS yes/no) carry none.
* Careloop metadata that FHIR has no element for lives in `_careloop` objects (at the top, on
  items and on options). They are not valid FHIR: `fhir_questionnaire()` strips them.
  Top level: instrument_id, enabled, disabled_reason, recall_period, licence {text, source},
  citation, instructions, loinc {panel, total, source, unverified{…}}, scored_item_count,
  text_is_label_only, text_source, unverified[…], translations[…] (official translations held:
  careloop.instruments.translations; their wording is FHIR translation extensions on item `text`
  and option `display`, kept in the FHIR output). Item: scored (default true),
  text_is_label_only, loinc_unverified, note. Option: response_value (the value `scoring.score`
  takes, when it differs from the ordinal), not_applicable, code_unverified, alternate_codes.
* UNVERIFIED codes never appear in FHIR `code` fields; they are kept, labelled, in `_careloop`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from types import MappingProxyType
from typing import Any

from careloop.instruments import _json
from careloop.instruments._json import InvalidDefinition, JsonObject
from careloop.instruments.scoring.errors import UnknownInstrument
from careloop.instruments.translations import Translation, parse_translations

__all__ = [
    "AnswerOption",
    "InstrumentDefinition",
    "InstrumentItem",
    "InvalidDefinition",
    "Licence",
    "UnknownInstrument",
    "get_instrument",
    "list_instruments",
    "parse_definition",
]

ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
LOINC_SYSTEM = "http://loinc.org"
CARELOOP_KEY = "_careloop"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_STATUSES = frozenset({"draft", "active", "retired"})


@dataclass(frozen=True)
class AnswerOption:
    """One answer: `value` is what `scoring.score` takes; `score` is its ordinalValue."""

    value: int | None  # None only for a "not applicable" option (WSAS item 1)
    score: int | None  # None for unscored items
    system: str
    code: str
    display: str
    code_unverified: bool = False
    alternate_codes: tuple[str, ...] = ()

    @property
    def is_loinc(self) -> bool:
        return self.system == LOINC_SYSTEM


@dataclass(frozen=True)
class InstrumentItem:
    link_id: str
    text: str
    loinc: str | None
    options: tuple[AnswerOption, ...]
    scored: bool = True
    required: bool = True
    text_is_label_only: bool = False

    def option_for_code(self, code: str) -> AnswerOption | None:
        """The option coded `code` (its own code or an accepted alternate), if any."""
        for option in self.options:
            if code == option.code or code in option.alternate_codes:
                return option
        return None


@dataclass(frozen=True)
class Licence:
    text: str
    source: str


@dataclass(frozen=True)
class InstrumentDefinition:
    id: str
    version: str
    title: str
    loinc_panel: str | None
    loinc_total: str | None
    items: tuple[InstrumentItem, ...]
    scored_item_count: int
    enabled: bool
    disabled_reason: str | None
    recall_period: str | None
    licence: Licence
    citation: str
    instructions: str | None = None
    text_is_label_only: bool = False
    unverified: tuple[str, ...] = ()
    unverified_loinc: Mapping[str, str] = field(default_factory=dict)
    questionnaire_json: str = field(default="{}", repr=False)
    # Official translations held (careloop.instruments.translations); English is the source.
    translations: tuple[Translation, ...] = ()

    @property
    def versioned_id(self) -> str:
        """Storage key for this exact version, e.g. "phq9@1.0.0"."""
        return f"{self.id}@{self.version}"

    @property
    def questionnaire(self) -> dict[str, Any]:
        """The raw definition document (a fresh copy each time; the cache stays untouched)."""
        return dict(json.loads(self.questionnaire_json))

    @cached_property
    def questionnaire_view(self) -> Mapping[str, Any]:
        """The raw definition document, parsed once and shared, so it is read-only all the way
        down (mappings are MappingProxyType, lists are tuples). `questionnaire` gives a copy
        that may be changed."""
        view = _read_only(json.loads(self.questionnaire_json))
        assert isinstance(view, Mapping)
        return view

    @property
    def url(self) -> str:
        """The Questionnaire's canonical URL (without version)."""
        return str(self.questionnaire_view["url"])

    def fhir_questionnaire(self) -> dict[str, Any]:
        """The definition as valid FHIR R4: every `_careloop` object removed."""
        stripped = _strip_careloop(self.questionnaire)
        assert isinstance(stripped, dict)
        return stripped

    def answers_from_codes(self, codes: Mapping[str, str | None]) -> list[int | None]:
        """Map {linkId: answer code} to the response values `scoring.score` takes, in item order.

        A linkId that is absent or None is unanswered (None). An unknown linkId or code raises
        InvalidDefinition, so a mismatched QuestionnaireResponse is never silently scored.
        """
        known = {item.link_id: item for item in self.items}
        unknown = sorted(set(codes) - set(known))
        if unknown:
            raise InvalidDefinition(f"{self.id}: unknown linkId(s) {', '.join(unknown)}")
        return [_value_for(self.id, item, codes.get(item.link_id)) for item in self.items]


def _value_for(instrument_id: str, item: InstrumentItem, code: str | None) -> int | None:
    if code is None:
        return None
    option = item.option_for_code(code)
    if option is None:
        raise InvalidDefinition(
            f"{instrument_id} item {item.link_id}: unknown answer code {code!r}"
        )
    return option.value


def _read_only(node: object) -> object:
    if isinstance(node, dict):
        return MappingProxyType({key: _read_only(value) for key, value in node.items()})
    if isinstance(node, list):
        return tuple(_read_only(value) for value in node)
    return node


def _strip_careloop(node: object) -> object:
    if isinstance(node, dict):
        return {key: _strip_careloop(value) for key, value in node.items() if key != CARELOOP_KEY}
    if isinstance(node, list):
        return [_strip_careloop(value) for value in node]
    return node


# ---------------------------------------------------------------- loading


def get_instrument(instrument_id: str) -> InstrumentDefinition:
    """The current definition of `instrument_id`; raises UnknownInstrument."""
    definitions = _load_all()
    try:
        return definitions[instrument_id]
    except KeyError:
        raise UnknownInstrument(instrument_id, tuple(definitions)) from None


def list_instruments(*, enabled_only: bool = False) -> tuple[InstrumentDefinition, ...]:
    """Every definition, ordered by id; `enabled_only` keeps those enabled for patient use."""
    return tuple(d for d in _load_all().values() if d.enabled or not enabled_only)


@cache
def _load_all() -> Mapping[str, InstrumentDefinition]:
    folder = resources.files("careloop.instruments").joinpath("definitions")
    definitions: dict[str, InstrumentDefinition] = {}
    for entry in sorted(folder.iterdir(), key=lambda path: path.name):
        if not entry.name.endswith(".json"):
            continue
        where = f"definitions/{entry.name}"
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise InvalidDefinition(f"{where}: not valid JSON ({error})") from error
        definition = parse_definition(data, where=where)
        if f"{definition.id}.json" != entry.name:
            raise InvalidDefinition(f"{where}: id {definition.id!r} does not match the file name")
        definitions[definition.id] = definition
    return definitions


def parse_definition(data: object, *, where: str = "definition") -> InstrumentDefinition:
    """Validate one Questionnaire document and build its InstrumentDefinition."""
    document = _json.obj(data, where)
    _check_header(document, where)
    meta = _json.obj(document.get(CARELOOP_KEY), f"{where}.{CARELOOP_KEY}")
    raw_items = _json.obj_list(document, "item", where)
    items = tuple(_parse_item(entry, where) for entry in raw_items)
    _check_unique_link_ids(items, where)
    definition = InstrumentDefinition(
        id=_json.text(document, "id", where),
        version=_json.text(document, "version", where),
        title=_json.text(document, "title", where),
        loinc_panel=_loinc_code(document, where),
        loinc_total=_json.optional_text(_loinc(meta, where), "total", f"{where}.loinc"),
        items=items,
        scored_item_count=sum(item.scored for item in items),
        enabled=_json.flag(meta, "enabled", where),
        disabled_reason=_json.optional_text(meta, "disabled_reason", where),
        recall_period=_json.optional_text(meta, "recall_period", where),
        licence=_licence(meta, where),
        citation=_json.text(meta, "citation", where),
        instructions=_json.optional_text(meta, "instructions", where),
        text_is_label_only=any(item.text_is_label_only for item in items),
        unverified=tuple(str(note) for note in _notes(meta, where)),
        unverified_loinc=_json.text_map(_loinc(meta, where), "unverified", f"{where}.loinc"),
        questionnaire_json=json.dumps(document, ensure_ascii=False),
        translations=parse_translations(meta, raw_items, where),
    )
    _check_meta(definition, meta, where)
    return definition


def _check_header(document: JsonObject, where: str) -> None:
    if document.get("resourceType") != "Questionnaire":
        raise InvalidDefinition(f"{where}: resourceType must be 'Questionnaire'")
    identifier = _json.text(document, "id", where)
    if not _SEMVER.match(_json.text(document, "version", where)):
        raise InvalidDefinition(f"{where}.version: expected MAJOR.MINOR.PATCH")
    if not _json.text(document, "url", where).endswith(f"/Questionnaire/{identifier}"):
        raise InvalidDefinition(f"{where}.url: must end with /Questionnaire/{identifier}")
    if document.get("status") not in _STATUSES:
        raise InvalidDefinition(f"{where}.status: expected one of {sorted(_STATUSES)}")
    _json.text(document, "name", where)


def _check_meta(definition: InstrumentDefinition, meta: JsonObject, where: str) -> None:
    if meta.get("instrument_id") != definition.id:
        raise InvalidDefinition(f"{where}: _careloop.instrument_id must equal id")
    if meta.get("scored_item_count") != definition.scored_item_count:
        raise InvalidDefinition(f"{where}: _careloop.scored_item_count disagrees with the items")
    if meta.get("text_is_label_only") != definition.text_is_label_only:
        raise InvalidDefinition(f"{where}: _careloop.text_is_label_only disagrees with the items")
    if _loinc(meta, where).get("panel") != definition.loinc_panel:
        raise InvalidDefinition(f"{where}: _careloop.loinc.panel disagrees with code")
    if definition.enabled == (definition.disabled_reason is not None):
        raise InvalidDefinition(f"{where}: a disabled_reason is required exactly when disabled")


def _loinc(meta: JsonObject, where: str) -> JsonObject:
    return _json.obj(meta.get("loinc"), f"{where}.{CARELOOP_KEY}.loinc")


def _licence(meta: JsonObject, where: str) -> Licence:
    licence = _json.obj(meta.get("licence"), f"{where}.licence")
    return Licence(_json.text(licence, "text", where), _json.text(licence, "source", where))


def _notes(meta: JsonObject, where: str) -> list[object]:
    notes = meta.get("unverified", [])
    if not isinstance(notes, list) or not all(isinstance(note, str) for note in notes):
        raise InvalidDefinition(f"{where}._careloop.unverified: expected a list of strings")
    return notes


def _loinc_code(node: JsonObject, where: str) -> str | None:
    codes = node.get("code")
    if codes is None:
        return None
    for coding in _json.obj_list(node, "code", where):
        if coding.get("system") == LOINC_SYSTEM:
            return _json.text(coding, "code", f"{where}.code")
    return None


def _check_unique_link_ids(items: tuple[InstrumentItem, ...], where: str) -> None:
    link_ids = [item.link_id for item in items]
    duplicates = sorted({link for link in link_ids if link_ids.count(link) > 1})
    if duplicates:
        raise InvalidDefinition(f"{where}: duplicate linkId(s) {', '.join(duplicates)}")


def _parse_item(entry: JsonObject, where: str) -> InstrumentItem:
    link_id = _json.text(entry, "linkId", where)
    here = f"{where}.item[{link_id}]"
    if entry.get("type") != "choice":
        raise InvalidDefinition(f"{here}.type: only 'choice' items are supported")
    meta = _json.obj(entry.get(CARELOOP_KEY, {}), f"{here}.{CARELOOP_KEY}")
    scored = _json.flag(meta, "scored", here, default=True)
    options = tuple(
        _parse_option(option, f"{here}.answerOption[{index}]", scored=scored)
        for index, option in enumerate(_json.obj_list(entry, "answerOption", here))
    )
    codes = [option.code for option in options]
    if len(set(codes)) != len(codes):
        raise InvalidDefinition(f"{here}: answer codes must be unique")
    return InstrumentItem(
        link_id=link_id,
        text=_json.text(entry, "text", here),
        loinc=_loinc_code(entry, here),
        options=options,
        scored=scored,
        required=_json.flag(entry, "required", here, default=False),
        text_is_label_only=_json.flag(meta, "text_is_label_only", here, default=False),
    )


def _parse_option(option: JsonObject, where: str, *, scored: bool) -> AnswerOption:
    coding = _json.obj(option.get("valueCoding"), f"{where}.valueCoding")
    meta = _json.obj(option.get(CARELOOP_KEY, {}), f"{where}.{CARELOOP_KEY}")
    score = _ordinal(option, where)
    if scored != (score is not None or meta.get("not_applicable") is True):
        raise InvalidDefinition(f"{where}: ordinalValue is required on scored items only")
    value = _response_value(meta, score, where)
    alternates = meta.get("alternate_codes", [])
    if not isinstance(alternates, list) or not all(isinstance(a, str) for a in alternates):
        raise InvalidDefinition(f"{where}._careloop.alternate_codes: expected strings")
    return AnswerOption(
        value=value,
        score=score,
        system=_json.text(coding, "system", where),
        code=_json.text(coding, "code", where),
        display=_json.text(coding, "display", where),
        code_unverified=_json.flag(meta, "code_unverified", where, default=False),
        alternate_codes=tuple(alternates),
    )


def _ordinal(option: JsonObject, where: str) -> int | None:
    extensions = option.get("extension", [])
    if not isinstance(extensions, list):
        raise InvalidDefinition(f"{where}.extension: expected a list")
    for extension in extensions:
        ext = _json.obj(extension, f"{where}.extension")
        if ext.get("url") == ORDINAL_VALUE_URL:
            return _json.whole_number(ext.get("valueDecimal"), f"{where} ordinalValue")
    return None


def _response_value(meta: JsonObject, score: int | None, where: str) -> int | None:
    if meta.get("not_applicable") is True:
        if meta.get("response_value", None) is not None:
            raise InvalidDefinition(f"{where}: a not-applicable option has no response value")
        return None
    if "response_value" in meta:
        return _json.whole_number(meta["response_value"], f"{where} response_value")
    if score is None:
        raise InvalidDefinition(f"{where}: an option needs an ordinalValue or a response_value")
    return score
