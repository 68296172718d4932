"""RiskAssessment: automated safety outputs with their basis and the clinician's review."""

from __future__ import annotations

import pytest

from careloop.safety.models import Alert
from careloop.safety.services import (
    acknowledge_alert,
    raise_alert_by_clinician,
    raise_alert_for_text_signal,
    record_alert_action,
)

TEXT_EVIDENCE = {
    "score": 0.71,
    "detector_version": "1.2.0",
    "model": "all-MiniLM-L6-v2 (test)",
    "language": "en",
    "spans": [
        {
            "start": 4,
            "end": 10,
            "text": "end it",
            "construct": "ideation",
            "source": "rule",
            "rule_id": "en.ideation.end_it",
            "weight": 0.7,
        }
    ],
}


@pytest.fixture
def ben_fhir(fhir, ben):
    return fhir(ben)


@pytest.fixture
def text_alert(ada, ada_patient) -> Alert:
    alert = raise_alert_for_text_signal(
        ada_patient, source="checkin:test-1", evidence=TEXT_EVIDENCE, level="high", actor=ada
    )
    assert alert is not None
    return alert


def _review(resource) -> str:
    return str(resource["extension"][0]["valueCoding"]["code"])


def test_rule_output_names_method_basis_and_risk(ben_fhir, ada_phq9, ada_patient) -> None:
    alert = Alert.objects.get(assessment=ada_phq9)
    risk = ben_fhir.get(f"RiskAssessment/{alert.id}").json()
    assert risk["status"] == "final"
    assert risk["subject"] == {"reference": f"Patient/{ada_patient.id}"}
    assert risk["method"]["coding"][0]["code"] == "instrument_risk_item"
    assert risk["method"]["coding"][0]["version"] == alert.rule_version
    assert risk["basis"] == [{"reference": f"QuestionnaireResponse/{ada_phq9.id}"}]
    qualitative = risk["prediction"][0]["qualitativeRisk"]["coding"][0]
    assert qualitative["code"] == alert.severity
    assert risk["prediction"][0]["rationale"]
    assert risk["meta"]["tag"][0]["code"] == "automated-rule"
    assert "security" not in risk["meta"]
    assert _review(risk) == "pending"
    # The basis resolves for the same reader.
    assert ben_fhir.get(risk["basis"][0]["reference"]).status_code == 200


def test_text_detector_output_is_marked_ai_and_cites_its_span(ben_fhir, text_alert) -> None:
    risk = ben_fhir.get(f"RiskAssessment/{text_alert.id}").json()
    assert risk["meta"]["security"] == [
        {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "AIAST"}
    ]
    assert risk["meta"]["tag"][0]["code"] == "ai-model"
    detector = risk["method"]["coding"][1]
    assert detector["code"] == "crisis-text-detector" and detector["version"] == "1.2.0"
    notes = [note["text"] for note in risk["note"]]
    assert "characters 4-10" in notes[0] and "en.ideation.end_it" in notes[0]
    assert '"end it"' in notes[0]  # the care team reads the words
    assert "not a probability" in notes[1]
    assert "basis" not in risk


def test_review_status_follows_the_alert_and_each_move_is_a_version(
    ben_fhir, ben, sam, ada_phq9
) -> None:
    alert = Alert.objects.get(assessment=ada_phq9)
    acknowledge_alert(alert, actor=ben)
    record_alert_action(alert, actor=ben, outcome="false_positive", note="Answered by mistake")
    response = ben_fhir.get(f"RiskAssessment/{alert.id}")
    risk = response.json()
    assert _review(risk) == "overridden"
    assert risk["meta"]["versionId"] == "3" and response["ETag"] == 'W/"3"'
    history = ben_fhir.get(f"RiskAssessment/{alert.id}/_history").json()
    reviews = [_review(e["resource"]) for e in history["entry"]]
    assert reviews == ["overridden", "acknowledged", "pending"]
    assert _review(ben_fhir.get(f"RiskAssessment/{alert.id}/_history/2").json()) == "acknowledged"
    assert ben_fhir.get(f"RiskAssessment/{alert.id}/_history/4").status_code == 404


def test_search_by_method_date_and_patient(ben_fhir, ada_phq9, text_alert, ada_patient) -> None:
    def total(query):
        return ben_fhir.get("RiskAssessment", query).json()["total"]

    assert total({"patient": str(ada_patient.id)}) == 2
    assert total({"method": "crisis_text"}) == 1
    assert total({"method": "crisis-text-detector"}) == 1
    assert total({"method": "instrument_risk_item,crisis_text"}) == 2
    assert total({"date": "lt2000-01-01"}) == 0
    assert total({"status": "final", "date": "ge2000-01-01"}) == 2
    bundle = ben_fhir.get("RiskAssessment", {"_include": "RiskAssessment:subject"}).json()
    modes = [entry["search"]["mode"] for entry in bundle["entry"]]
    assert modes == ["match", "match", "include"]
    newest = ben_fhir.get("RiskAssessment", {"_sort": "-date"}).json()
    dates = [e["resource"]["occurrenceDateTime"] for e in newest["entry"]]
    assert dates == sorted(dates, reverse=True)


def test_a_clinicians_own_alert_is_not_an_automated_output(ben_fhir, ben, ada_patient) -> None:
    alert, _ = raise_alert_by_clinician(ada_patient, actor=ben, severity="high", reason="call")
    assert ben_fhir.get(f"RiskAssessment/{alert.id}").status_code == 404
    assert ben_fhir.get(f"Flag/{alert.id}").status_code == 200


def test_only_the_care_team_sees_risk_assessments(fhir, ada, dana, ada_phq9, text_alert) -> None:
    alert = Alert.objects.get(assessment=ada_phq9)
    for user in (ada, dana):
        client = fhir(user)
        for target in (alert, text_alert):
            assert client.get(f"RiskAssessment/{target.id}").status_code == 404
            assert client.get(f"RiskAssessment/{target.id}/_history").status_code == 404
        for query in ({}, {"_count": "10000"}, {"_summary": "count"}, {"method": "crisis_text"}):
            bundle = client.get("RiskAssessment", query).json()
            assert bundle["total"] == 0 and "entry" not in bundle
