"""Official translations of a questionnaire's wording, and the wording a patient is shown (#14).

A validated questionnaire is only ever shown in a translation its definition holds: never a
home-made one, never through the UI catalogues. The definition says which it holds
(`_careloop.translations`: language tag, origin and origin status, source, licence, the
publisher-check caveat, the translated instructions, and which items are not held), and carries
the translated wording itself as FHIR translation extensions
(http://hl7.org/fhir/StructureDefinition/translation) on each item's `text` and each option's
`display`, so the FHIR Questionnaire carries them too.

`shown_in(definition, language)` gives the wording for a patient whose page is in `language`:
the held translation whose primary language matches (a translation tagged de-DE serves "de"), with
every item it does not hold in English; or, when none is held, English throughout with
`translated=False`, and the page says so. Scoring never depends on the wording.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from careloop.instruments import _json
from careloop.instruments._json import InvalidDefinition, JsonObject

if TYPE_CHECKING:
    from careloop.instruments.library import AnswerOption, InstrumentDefinition

TRANSLATION_URL = "http://hl7.org/fhir/StructureDefinition/translation"
SOURCE_LANGUAGE = "en"

__all__ = [
    "TRANSLATION_URL",
    "ShownItem",
    "ShownOption",
    "ShownQuestionnaire",
    "Translation",
    "primary_language",
    "shown_in",
]


@dataclass(frozen=True)
class Translation:
    """One official translation a definition holds."""

    language: str  # BCP-47 as the source gives it: "de-DE", "es-US"
    origin_status: str
    origin: str
    caveat: str
    verified_against_publisher: bool
    instructions: str | None
    title: str | None
    items: Mapping[str, str]  # linkId -> item text
    options: Mapping[tuple[str, str], str]  # (linkId, answer code) -> option text
    items_not_held: tuple[str, ...]

    @property
    def primary_language(self) -> str:
        return primary_language(self.language)


@dataclass(frozen=True)
class ShownOption:
    option: AnswerOption
    display: str
    language: str


@dataclass(frozen=True)
class ShownItem:
    link_id: str
    text: str
    language: str
    scored: bool
    options: tuple[ShownOption, ...]


@dataclass(frozen=True)
class ShownQuestionnaire:
    """The wording a patient sees: `translated` is False when the page's language has no held
    translation (then everything is English and `language` is "en")."""

    language: str  # the wording's main language, as a lang attribute ("de-DE", "en")
    translated: bool
    requested: str
    title: str
    instructions: str | None
    items: tuple[ShownItem, ...]
    translation: Translation | None
    instructions_language: str = SOURCE_LANGUAGE

    @property
    def items_in_english(self) -> tuple[ShownItem, ...]:
        """Items of a translated questionnaire that are still in English (not held)."""
        return tuple(item for item in self.items if item.language != self.language)


def english_instructions(definition: InstrumentDefinition) -> str | None:
    """The definition's own instructions, or for one without them Careloop's generic English
    opening from its recall period (never translated: it stands with the English items)."""
    if definition.instructions:
        return definition.instructions
    if definition.recall_period:
        return (
            f"Over the {definition.recall_period}, how often have you been bothered by any of "
            "the following problems?"
        )
    return None


def primary_language(tag: str) -> str:
    return tag.split("-")[0].split("_")[0].lower()


def translation_texts(node: JsonObject, key: str, where: str) -> dict[str, str]:
    """{language tag: text} from the translation extensions on the primitive `key` of `node`."""
    holder = node.get(f"_{key}")
    if holder is None:
        return {}
    found: dict[str, str] = {}
    for extension in _json.obj_list(_json.obj(holder, where), "extension", where):
        if extension.get("url") != TRANSLATION_URL:
            continue
        parts = {
            part.get("url"): part.get("valueCode", part.get("valueString"))
            for part in _json.obj_list(extension, "extension", where)
        }
        language, content = parts.get("lang"), parts.get("content")
        if not isinstance(language, str) or not isinstance(content, str) or not content:
            raise InvalidDefinition(f"{where}._{key}: a translation needs a lang and a content")
        if language in found:
            raise InvalidDefinition(f"{where}._{key}: two {language} translations")
        found[language] = content
    return found


def parse_translations(
    meta: JsonObject, items: list[JsonObject], where: str
) -> tuple[Translation, ...]:
    """The translations `_careloop.translations` declares, each checked against the wording the
    items carry: a held item has its text and every option's display in that language, an item
    listed as not held has none."""
    declared = meta.get("translations", [])
    if not isinstance(declared, list):
        raise InvalidDefinition(f"{where}._careloop.translations: expected a list")
    result = []
    for index, entry in enumerate(declared):
        here = f"{where}._careloop.translations[{index}]"
        info = _json.obj(entry, here)
        language = _json.text(info, "language", here)
        not_held = info.get("items_not_held", [])
        if not isinstance(not_held, list) or not all(isinstance(x, str) for x in not_held):
            raise InvalidDefinition(f"{here}.items_not_held: expected a list of linkIds")
        texts: dict[str, str] = {}
        options: dict[tuple[str, str], str] = {}
        for item in items:
            link_id = _json.text(item, "linkId", here)
            item_where = f"{where}.item[{link_id}]"
            text = translation_texts(item, "text", item_where).get(language)
            codings = [
                _json.obj(option.get("valueCoding"), item_where)
                for option in _json.obj_list(item, "answerOption", item_where)
            ]
            option_texts = [
                (
                    _json.text(coding, "code", item_where),
                    translation_texts(coding, "display", item_where).get(language),
                )
                for coding in codings
            ]
            held = text is not None
            if held == (link_id in not_held):
                raise InvalidDefinition(
                    f"{item_where}: {language} text {'held' if held else 'missing'} but "
                    f"items_not_held says otherwise"
                )
            if held != all(display is not None for _, display in option_texts) or (
                not held and any(display is not None for _, display in option_texts)
            ):
                raise InvalidDefinition(f"{item_where}: {language} options incomplete")
            if text is not None:
                texts[link_id] = text
                options.update({(link_id, c): d for c, d in option_texts if d is not None})
        if not texts:
            raise InvalidDefinition(f"{here}: holds no item in {language}")
        result.append(
            Translation(
                language=language,
                origin_status=_json.text(info, "origin_status", here),
                origin=_json.text(info, "origin", here),
                caveat=_json.text(info, "caveat", here),
                verified_against_publisher=_json.flag(info, "verified_against_publisher", here),
                instructions=_json.optional_text(info, "instructions", here),
                title=_json.optional_text(info, "title", here),
                items=texts,
                options=options,
                items_not_held=tuple(not_held),
            )
        )
    languages = [primary_language(t.language) for t in result]
    if len(set(languages)) != len(languages):
        raise InvalidDefinition(f"{where}: two translations for one language")
    return tuple(result)


def shown_in(definition: InstrumentDefinition, language: str) -> ShownQuestionnaire:
    """The wording to show for a page in `language` (a shipped language code or any tag)."""
    wanted = primary_language(language or SOURCE_LANGUAGE)
    translation = next((t for t in definition.translations if t.primary_language == wanted), None)
    if translation is None:
        return ShownQuestionnaire(
            language=SOURCE_LANGUAGE,
            translated=False,
            requested=wanted,
            title=definition.title,
            instructions=english_instructions(definition),
            items=tuple(_english_item(item) for item in definition.items),
            translation=None,
        )
    items = []
    for item in definition.items:
        text = translation.items.get(item.link_id)
        if text is None:
            items.append(_english_item(item))
            continue
        items.append(
            ShownItem(
                link_id=item.link_id,
                text=text,
                language=translation.language,
                scored=item.scored,
                options=tuple(
                    ShownOption(
                        option,
                        translation.options[(item.link_id, option.code)],
                        translation.language,
                    )
                    for option in item.options
                ),
            )
        )
    return ShownQuestionnaire(
        language=translation.language,
        translated=True,
        requested=wanted,
        title=definition.title,
        instructions=translation.instructions or english_instructions(definition),
        items=tuple(items),
        translation=translation,
        instructions_language=(
            translation.language if translation.instructions else SOURCE_LANGUAGE
        ),
    )


def _english_item(item: object) -> ShownItem:
    from careloop.instruments.library import InstrumentItem

    assert isinstance(item, InstrumentItem)
    return ShownItem(
        link_id=item.link_id,
        text=item.text,
        language=SOURCE_LANGUAGE,
        scored=item.scored,
        options=tuple(ShownOption(o, o.display, SOURCE_LANGUAGE) for o in item.options),
    )
