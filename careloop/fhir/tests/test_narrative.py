"""The generated narrative (mapping.narrative): short, escaped, and never the words people wrote."""

from __future__ import annotations

import pytest

from careloop.fhir.mapping.common import with_meta
from careloop.fhir.mapping.narrative import SUMMARIES, generated_text, narrative
from careloop.fhir.tests.fhir_assert import narrative_problems

SECRET = "I wrote this <b>myself</b> & nobody else should read it here"
DIV = '<div xmlns="http://www.w3.org/1999/xhtml"><p>'

# One resource per type, each carrying free text in the places Careloop puts it.
WITH_FREE_TEXT = [
    {
        "resourceType": "Communication",
        "status": "completed",
        "sender": {"reference": "Patient/p"},
        "sent": "2026-11-03T10:00:00.000Z",
        "payload": [{"contentString": SECRET}],
    },
    {
        "resourceType": "RiskAssessment",
        "status": "final",
        "occurrenceDateTime": "2026-11-03T10:00:00.000Z",
        "prediction": [{"outcome": {"text": "Suicide or self-harm risk"}, "rationale": "r"}],
        "note": [{"text": SECRET}],
    },
    {
        "resourceType": "CarePlan",
        "title": "Safety plan",
        "status": "active",
        "activity": [{"detail": {"status": "in-progress", "description": SECRET}}],
    },
    {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "44250-9"}]},
        "valueCodeableConcept": {"coding": [{"code": "LA6569-3"}], "text": SECRET},
    },
    {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": "https://careloop.example/fhir/Questionnaire/phq9|1.0.0",
        "item": [{"linkId": "1", "text": SECRET, "answer": [{"valueString": SECRET}]}],
    },
]


@pytest.mark.parametrize("resource", WITH_FREE_TEXT, ids=lambda r: r["resourceType"])
def test_the_narrative_never_shows_free_text(resource) -> None:
    text = generated_text(resource)
    assert text is not None and text["status"] == "generated"
    assert "wrote" not in text["div"] and narrative_problems(text) == []


def test_a_total_score_reads_as_one_line() -> None:
    total = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "PHQ-9 total score"},
        "valueQuantity": {"value": 14},
        "interpretation": [{"coding": [{"code": "moderate", "display": "Moderate"}]}],
        "effectiveDateTime": "2026-11-03T09:12:00.000Z",
    }
    assert narrative(" x ")["div"] == f"{DIV}x</p></div>"
    assert generated_text(total) == {
        "status": "generated",
        "div": f"{DIV}PHQ-9 total score: 14 (Moderate), final, 2026-11-03</p></div>",
    }


def test_what_the_resource_carries_is_escaped() -> None:
    patient = {"resourceType": "Patient", "id": "p", "name": [{"text": 'A <i>"B"</i> & C'}]}
    text = with_meta(patient, None)["text"]
    assert "&lt;i&gt;&quot;B&quot;&lt;/i&gt; &amp; C" in text["div"]
    assert narrative_problems(text) == []


@pytest.mark.parametrize("resource_type", sorted(SUMMARIES))
def test_every_type_has_a_non_empty_narrative_even_when_bare(resource_type: str) -> None:
    resource = with_meta({"resourceType": resource_type, "id": "x"}, None)
    assert list(resource)[:4] == ["resourceType", "id", "meta", "text"]
    assert narrative_problems(resource["text"]) == []


def test_bundles_and_outcomes_carry_no_narrative() -> None:
    assert generated_text({"resourceType": "Bundle"}) is None
    assert generated_text({"resourceType": "OperationOutcome"}) is None
