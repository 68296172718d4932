"""Instrument definitions: every file loads, is consistent with its scorer, and is honest."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from careloop.instruments import library
from careloop.instruments.library import (
    InstrumentDefinition,
    InvalidDefinition,
    UnknownInstrument,
    get_instrument,
    list_instruments,
    parse_definition,
)
from careloop.instruments.scoring import SCORERS, score

DEFINITIONS_DIR = Path(library.__file__).parent / "definitions"
EXPECTED_IDS = {
    "phq9", "phq8", "phq2", "gad7", "gad2", "who5", "pcl5", "audit_c", "audit",
    "k10", "core10", "wsas", "cssrs_screener", "pss10", "epds",
}  # fmt: skip
ALL = sorted(EXPECTED_IDS)


def raw(instrument_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DEFINITIONS_DIR / f"{instrument_id}.json").read_text())
    return data


def test_library_holds_exactly_the_expected_instruments() -> None:
    assert {d.id for d in list_instruments()} == EXPECTED_IDS
    assert {p.stem for p in DEFINITIONS_DIR.glob("*.json")} == EXPECTED_IDS
    assert set(SCORERS) == EXPECTED_IDS


def test_get_instrument_returns_the_versioned_definition() -> None:
    phq9 = get_instrument("phq9")
    assert phq9.versioned_id == "phq9@1.0.0"
    assert (phq9.loinc_panel, phq9.loinc_total) == ("44249-1", "44261-6")
    assert phq9.recall_period == "last 2 weeks"
    assert [item.loinc for item in phq9.items][-2:] == ["44260-8", "69722-7"]
    assert phq9.items[8].text == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


def test_unknown_instrument_raises() -> None:
    with pytest.raises(UnknownInstrument, match="'nope'"):
        get_instrument("nope")


def test_definitions_are_cached() -> None:
    assert get_instrument("gad7") is get_instrument("gad7")


@pytest.mark.parametrize("instrument_id", ALL)
def test_link_ids_are_unique(instrument_id: str) -> None:
    link_ids = [item["linkId"] for item in raw(instrument_id)["item"]]
    assert len(link_ids) == len(set(link_ids))


@pytest.mark.parametrize("instrument_id", ALL)
def test_definition_matches_its_scorer(instrument_id: str) -> None:
    definition, scorer = get_instrument(instrument_id), SCORERS[instrument_id]
    assert definition.version == scorer.version
    assert len(definition.items) == len(scorer.items)
    assert definition.scored_item_count == sum(scale.scored for scale in scorer.items)
    for item, scale in zip(definition.items, scorer.items, strict=True):
        assert item.scored is scale.scored, item.link_id
        values = {option.value for option in item.options}
        expected = set(scale.values) | ({None} if scale.not_applicable_allowed else set())
        assert values == expected, f"{instrument_id} item {item.link_id}"


@pytest.mark.parametrize("instrument_id", ALL)
def test_ordinal_values_equal_the_scorer_item_scores(instrument_id: str) -> None:
    definition, scorer = get_instrument(instrument_id), SCORERS[instrument_id]
    for item, scale in zip(definition.items, scorer.items, strict=True):
        for option in item.options:
            if option.value is None or not scale.scored:
                assert option.score is None, f"{instrument_id} {item.link_id} {option.code}"
            else:
                assert option.score == scale.score(option.value), f"{instrument_id} {item.link_id}"


@pytest.mark.parametrize("instrument_id", sorted(EXPECTED_IDS - {"cssrs_screener"}))
@pytest.mark.parametrize("pick", [max, min])
def test_scoring_the_definition_options_gives_the_sum_of_their_ordinals(
    instrument_id: str, pick: Any
) -> None:
    definition = get_instrument(instrument_id)
    chosen = {
        item.link_id: pick(
            (o for o in item.options if o.score is not None or not item.scored),
            key=lambda o: o.score if o.score is not None else -1,
        )
        for item in definition.items
    }
    answers = definition.answers_from_codes({link: o.code for link, o in chosen.items()})
    expected = sum(o.score for o in chosen.values() if o.score is not None)
    assert score(instrument_id, answers, sex="male").total == expected


def test_answers_from_codes_accepts_alternate_loinc_codes_and_blanks() -> None:
    gad7 = get_instrument("gad7")
    answers = gad7.answers_from_codes({"1": "LA6571-9", "2": "LA18938-3", "3": None})
    assert answers == [3, 2, None, None, None, None, None, None]


def test_answers_from_codes_turns_epds_options_into_printed_positions() -> None:
    epds = get_instrument("epds")
    answers = epds.answers_from_codes({str(n): "epds-position-0" for n in range(1, 11)})
    assert answers == [0] * 10
    assert score("epds", answers).total == 21


@pytest.mark.parametrize(
    ("codes", "message"),
    [({"1": "LA0000-0"}, "unknown answer code 'LA0000-0'"), ({"99": "LA6568-5"}, "unknown linkId")],
)
def test_answers_from_codes_rejects_unknown_codes(codes: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidDefinition, match=message):
        get_instrument("phq2").answers_from_codes(codes)


@pytest.mark.parametrize("instrument_id", ALL)
def test_fhir_questionnaire_has_no_careloop_extensions(instrument_id: str) -> None:
    fhir = get_instrument(instrument_id).fhir_questionnaire()
    assert "_careloop" not in json.dumps(fhir)
    assert fhir["resourceType"] == "Questionnaire"
    assert fhir["version"] == "1.0.0"


def test_questionnaire_is_a_fresh_copy() -> None:
    definition = get_instrument("phq9")
    definition.questionnaire["title"] = "changed"
    assert definition.questionnaire["title"] == "Patient Health Questionnaire-9 (PHQ-9)"


def test_epds_ships_disabled_without_item_text_but_scores() -> None:
    epds = get_instrument("epds")
    assert epds.enabled is False
    assert epds.disabled_reason is not None
    assert "Royal College of Psychiatrists" in epds.disabled_reason
    assert all(item.text_is_label_only for item in epds.items)
    assert score("epds", [1] * 10).total is not None


@pytest.mark.parametrize("instrument_id", ALL)
def test_enabled_instruments_show_exact_wording_never_labels(instrument_id: str) -> None:
    definition = get_instrument(instrument_id)
    if definition.text_is_label_only:
        assert definition.enabled is False
        assert definition.disabled_reason


@pytest.mark.parametrize("instrument_id", ALL)
def test_every_definition_carries_licence_citation_and_text_provenance(instrument_id: str) -> None:
    definition = get_instrument(instrument_id)
    meta = raw(instrument_id)["_careloop"]
    assert definition.licence.text and definition.licence.source
    assert definition.citation
    assert meta["text_source"]["verified_against_publisher"] is False


@pytest.mark.parametrize(
    ("instrument_id", "unverified_key"),
    [
        ("phq8", "total"),
        ("gad2", "total"),
        ("pcl5", "panel"),
        ("epds", "total"),
        ("cssrs_screener", "panel"),
    ],
)
def test_unverified_loinc_codes_stay_out_of_fhir_code_fields(
    instrument_id: str, unverified_key: str
) -> None:
    definition = get_instrument(instrument_id)
    assert "UNVERIFIED" in definition.unverified_loinc[unverified_key]
    assert getattr(definition, f"loinc_{unverified_key}") is None


def test_gad7_difficulty_item_has_no_loinc_code_because_it_is_unverified() -> None:
    item = get_instrument("gad7").items[-1]
    assert (item.link_id, item.loinc, item.scored) == ("8", None, False)
    assert "UNVERIFIED" in raw("gad7")["item"][-1]["_careloop"]["loinc_unverified"]


def test_cssrs_follow_up_questions_are_conditional() -> None:
    items = {item["linkId"]: item for item in raw("cssrs_screener")["item"]}
    assert items["3"]["enableWhen"][0]["question"] == "2"
    assert items["6b"]["enableWhen"][0]["question"] == "6"
    assert "enableWhen" not in items["1"]


# ---------------------------------------------------------------- validation


def mutated(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(raw("phq2"))
    change(document)
    return document


def drop_ordinal(d: dict[str, Any]) -> None:
    del d["item"][0]["answerOption"][0]["extension"]


def set_(path: str, value: object) -> Any:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = document
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_("resourceType", "Observation"), "resourceType"),
        (set_("version", "1.0"), "MAJOR.MINOR.PATCH"),
        (set_("url", "https://x/Questionnaire/other"), "url"),
        (set_("item.1.linkId", "1"), "duplicate linkId"),
        (drop_ordinal, "ordinalValue is required"),
        (set_("item.0.answerOption.0.extension.0.valueDecimal", 0.5), "whole number"),
        (set_("item.0.answerOption.1.valueCoding.code", "LA6568-5"), "answer codes must be unique"),
        (set_("_careloop.disabled_reason", "because"), "disabled_reason is required exactly"),
        (set_("_careloop.scored_item_count", 3), "scored_item_count"),
        (set_("_careloop.instrument_id", "gad2"), "instrument_id"),
        (set_("_careloop.licence", None), "licence"),
        (set_("item.0.type", "integer"), "only 'choice'"),
        (set_("_careloop.loinc.panel", "00000-0"), "loinc.panel disagrees"),
    ],
)
def test_invalid_definitions_are_refused(change: Any, message: str) -> None:
    assert isinstance(parse_definition(raw("phq2")), InstrumentDefinition)
    with pytest.raises(InvalidDefinition, match=message):
        parse_definition(mutated(change))
