"""Questionnaires in the patient's language only when an official translation is held (#14
item 3): the German PHQ-9 and GAD-7 (PHQ-D) and the Spanish (es-US) PHQ-9, copied exactly from
the reference texts; any other language gets the English items, said so in the page's language,
each item lang="en" (read aloud in English). Never a home-made translation; scoring unchanged."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from careloop.assessments.models import Assessment
from careloop.instruments._json import InvalidDefinition
from careloop.instruments.library import get_instrument, list_instruments, parse_definition
from careloop.instruments.translations import TRANSLATION_URL, shown_in

# Copied from /work/shared/reference/instrument_translations.md ("PHQ-9 — German (de-DE) — MII
# PROMs module (PHQ-D wording)"), character for character.
PHQ9_DE_ITEMS = [
    "Wenig Interesse oder Freude an Ihren Tätigkeiten",
    "Niedergeschlagenheit, Schwermut oder Hoffnungslosigkeit",
    "Schwierigkeiten ein- oder durchzuschlafen oder vermehrter Schlaf",
    "Müdigkeit oder Gefühl, keine Energie zu haben",
    "Verminderter Appetit oder übermäßiges Bedürfnis zu essen",
    "Schlechte Meinung von sich selbst; Gefühl, ein Versager zu sein oder die Familie enttäuscht "
    "zu haben",
    "Schwierigkeiten, sich auf etwas zu konzentrieren, z.B. beim Zeitunglesen oder Fernsehen",
    "Waren Ihre Bewegungen oder Ihre Sprache so verlangsamt, dass es auch anderen auffallen würde? "
    "Oder waren Sie im Gegenteil „zappelig“ oder ruhelos und hatten dadurch einen stärkeren "
    "Bewegungsdrang als sonst?",
    "Gedanken, dass Sie lieber tot wären oder sich Leid zufügen möchten",
    "Wenn eines oder mehrere dieser Probleme bei Ihnen vorliegen, geben Sie bitte an, wie sehr "
    "diese Probleme es Ihnen erschwert haben, Ihre Arbeit zu erledigen, Ihren Haushalt zu regeln "
    "oder mit anderen Menschen zurecht zu kommen",
]
PHQ9_DE_OPTIONS = [
    "Überhaupt nicht",
    "An einzelnen Tagen",
    "An mehr als der Hälfte der Tage",
    "Beinahe jeden Tag",
]
PHQ9_DE_INSTRUCTIONS = (
    "Wie oft fühlten Sie sich im Verlauf der letzten 2 Wochen durch die folgenden Beschwerden "
    "beeinträchtigt?"
)
GAD7_DE_ITEMS = [
    "Nervosität, Ängstlichkeit oder Anspannung",
    "Nicht in der Lage sein, Sorgen zu stoppen oder zu kontrollieren",
    "Übermäßige Sorgen bezüglich verschiedener Angelegenheiten",
    "Schwierigkeiten, sich zu entspannen",
    "Rastlosigkeit, so dass Stillsitzen schwer fällt",
    "Schnelle Verärgerung oder Gereiztheit",
    "Gefühl der Angst, so als würde etwas Schlimmes passieren",
]
PHQ9_ES_US_ITEMS = [
    "Poco interés o placer en hacer cosas",
    "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
    "Ha tenido dificultad para quedarse o permanecer dormido(a), o ha dormido demasiado",
    "Se ha sentido cansado(a) o con poca energía",
    "Sin apetito o ha comido en exceso",
    "Se ha sentido mal con usted mismo(a) – o que es un fracaso o que ha quedado mal con usted "
    "mismo(a) o con su familia",
    "Ha tenido dificultad para concentrarse en ciertas actividades, tales como leer el periódico "
    "o ver la televisión",
    "¿Se ha movido o hablado tan lento que otras personas podrían haberlo notado? o lo contrario "
    "– muy inquieto(a) o agitado(a) que ha estado moviéndose mucho más de lo normal",
    "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera",
    "Si marcó cualquiera de los problemas, ¿qué tanta dificultad le han dado estos problemas para "
    "hacer su trabajo, encargarse de las tareas del hogar, o llevarse bien con otras personas?",
]
PHQ9_ES_US_OPTIONS = [
    "Ningún día",
    "Varios días",
    "Más de la mitad de los días",
    "Casi todos los días",
]


def test_only_the_official_translations_we_hold_are_declared() -> None:
    held = {d.id: sorted(t.language for t in d.translations) for d in list_instruments()}
    assert {k: v for k, v in held.items() if v} == {"phq9": ["de-DE", "es-US"], "gad7": ["de-DE"]}


def test_each_translation_names_its_origin_and_stays_labelled_unverified() -> None:
    for instrument_id in ("phq9", "gad7"):
        for translation in get_instrument(instrument_id).translations:
            assert translation.origin_status.startswith("OFFICIAL")
            assert not translation.verified_against_publisher
            assert translation.caveat.startswith("UNVERIFIED")
            assert "publisher" in translation.caveat


def test_german_phq9_is_the_reference_text_exactly() -> None:
    wording = shown_in(get_instrument("phq9"), "de")
    assert wording.translated and wording.language == "de-DE"
    assert wording.instructions == PHQ9_DE_INSTRUCTIONS
    assert [item.text for item in wording.items] == PHQ9_DE_ITEMS
    assert [o.display for o in wording.items[0].options] == PHQ9_DE_OPTIONS
    assert [o.display for o in wording.items[9].options] == [
        "Überhaupt nicht erschwert",
        "Etwas erschwert",
        "Relativ stark erschwert",
        "Sehr stark erschwert",
    ]


def test_spanish_phq9_is_the_es_us_reference_text_exactly() -> None:
    wording = shown_in(get_instrument("phq9"), "es")
    assert wording.language == "es-US"
    assert [item.text for item in wording.items] == PHQ9_ES_US_ITEMS
    assert [o.display for o in wording.items[0].options] == PHQ9_ES_US_OPTIONS


def test_german_gad7_holds_items_1_to_7_and_shows_the_unheld_difficulty_item_in_english() -> None:
    wording = shown_in(get_instrument("gad7"), "de")
    assert [item.text for item in wording.items[:7]] == GAD7_DE_ITEMS
    assert [item.link_id for item in wording.items_in_english] == ["8"]
    assert wording.items[7].language == "en"
    assert wording.items[7].text == get_instrument("gad7").items[7].text


@pytest.mark.parametrize(
    ("instrument_id", "language"),
    [("phq9", "fr"), ("phq9", "pt"), ("phq9", "ar"), ("gad7", "es"), ("who5", "de")],
)
def test_no_translation_held_means_english_throughout(instrument_id: str, language: str) -> None:
    definition = get_instrument(instrument_id)
    wording = shown_in(definition, language)
    assert not wording.translated and wording.language == "en"
    assert [item.text for item in wording.items] == [item.text for item in definition.items]
    assert {item.language for item in wording.items} == {"en"}


def test_the_fhir_questionnaire_carries_the_translations_as_fhir_extensions() -> None:
    questionnaire = get_instrument("phq9").fhir_questionnaire()
    first = questionnaire["item"][0]
    languages = {
        part["valueCode"]
        for extension in first["_text"]["extension"]
        if extension["url"] == TRANSLATION_URL
        for part in extension["extension"]
        if part["url"] == "lang"
    }
    assert languages == {"de-DE", "es-US"}
    assert first["text"] == "Little interest or pleasure in doing things"  # English stays


def test_a_translation_missing_an_option_is_refused() -> None:
    document = get_instrument("gad7").questionnaire
    del document["item"][0]["answerOption"][0]["valueCoding"]["_display"]
    with pytest.raises(InvalidDefinition, match="options incomplete"):
        parse_definition(document)


def test_a_translated_item_not_declared_is_refused() -> None:
    document = get_instrument("gad7").questionnaire
    document["_careloop"]["translations"][0]["items_not_held"] = []
    with pytest.raises(InvalidDefinition, match="items_not_held"):
        parse_definition(document)


def _set_language(ada, language: str) -> None:
    patient = ada.patient_record
    patient.preferred_language = language
    patient.save(update_fields=["preferred_language"])


def _legends(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<fieldset[^>]*lang="([^"]+)">\s*<legend>\d+\. ([^<]+)</legend>', html)


@pytest.mark.django_db
def test_a_german_patient_sees_the_german_phq9(ada, as_user) -> None:
    _set_language(ada, "de")
    html = as_user(ada).get(reverse("assessments:answer", args=["phq9"])).content.decode()
    assert _legends(html) == [("de-DE", text) for text in PHQ9_DE_ITEMS]
    assert f'<p data-instrument-wording lang="de-DE">{PHQ9_DE_INSTRUCTIONS}</p>' in html
    assert 'id="wording-language"' not in html
    assert ">Überhaupt nicht</label>" in html


@pytest.mark.django_db
def test_a_french_patient_is_told_and_sees_english_items_marked_english(ada, as_user) -> None:
    _set_language(ada, "fr")
    html = as_user(ada).get(reverse("assessments:answer", args=["phq9"])).content.decode()
    assert '<html lang="fr"' in html
    assert 'id="wording-language"' in html and "Français" in html
    english = [item.text for item in get_instrument("phq9").items]
    assert [text for _, text in _legends(html)] == english
    assert {lang for lang, _ in _legends(html)} == {"en"}


@pytest.mark.django_db
def test_the_german_page_scores_exactly_as_the_english_one(ada, as_user) -> None:
    _set_language(ada, "de")
    client = as_user(ada)
    page = client.get(reverse("assessments:answer", args=["phq9"])).content.decode()
    client_id = re.search(r'name="client_id" value="([^"]+)"', page).group(1)
    answers = {f"item-{n}": "2" for n in range(1, 10)} | {"item-9": "0", "item-10": "1"}
    response = client.post(
        reverse("assessments:answer", args=["phq9"]), {"client_id": client_id, **answers}
    )
    assert response.status_code == 302
    stored = Assessment.objects.get()
    assert stored.answers == [2, 2, 2, 2, 2, 2, 2, 2, 0, 1] and stored.score_total == 16


def test_an_instrument_without_instructions_opens_with_the_generic_english_line() -> None:
    wording = shown_in(get_instrument("who5"), "de")
    assert wording.instructions == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert wording.instructions_language == "en"


@pytest.mark.slow
def test_no_questionnaire_wording_is_in_the_ui_catalogues() -> None:
    """Instrument wording is never translated through gettext (translators would make home-made
    versions of validated questionnaires)."""
    from careloop.core.i18n_catalogues import extracted_msgids

    wording = set()
    for definition in list_instruments():
        wording |= {item.text for item in definition.items}
        # (Answer options such as "Yes", "No" or "2" are words the UI uses for itself too.)
        wording.add(definition.instructions or "")
    marked = {msgid for _, msgid in extracted_msgids()}
    assert not any("how often have you been bothered" in msgid for msgid in marked)
    assert not (marked & (wording - {""})), sorted(marked & wording)[:10]
