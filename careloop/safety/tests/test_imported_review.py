"""Imported scores are screened (HZ-019): recent severe or risk-unknown imported results reach the
clinician review queue, through the real `careloop fhir import` of a Synthea-shaped bundle."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from careloop.assessments.hooks import IMPORTED_RESULT_LIVE_WINDOW
from careloop.assessments.models import Assessment
from careloop.core import clock
from careloop.instruments.scoring import gad7, phq9
from careloop.safety.models import Alert, ReviewItem
from careloop.safety.rules.imported import SEVERE_FROM, review_for_imported_result
from careloop.safety.rules.registry import IMPORTED_RESULT_REVIEW
from careloop.safety.types import ReviewKind, ReviewStatus

BUNDLES = Path(__file__).resolve().parents[4] / "shared" / "data" / "synthea_fhir_r4_bundles"
SUPPORT = [BUNDLES / "bundles" / "hospitalInformation.json",
           BUNDLES / "bundles" / "practitionerInformation.json"]  # fmt: skip
# min(..., default): a missing data folder fails this file's tests, not the whole collection.
ALVIN = min((BUNDLES / "bundles").glob("Alvin56_*.json"), default=BUNDLES / "missing-Alvin56")
PHQ9_TOTAL, GAD7_TOTAL = "44261-6", "70274-6"


def _review(**overrides: object):
    arguments: dict[str, object] = {
        "instrument_id": "phq9",
        "instrument_version": "phq9@1.0.0",
        "total": 8,
        "items_available": True,
        "risk_item_answered": True,
        "days_before_import": 3,
    }
    return review_for_imported_result(**(arguments | overrides))  # type: ignore[arg-type]


# ------------------------------------------------------------------ the pure rule (table tests)


@pytest.mark.parametrize(
    ("overrides", "queued", "says"),
    [
        ({"total": 19}, False, None),  # moderately severe, item 9 seen: the risk rule covered it
        ({"total": 20}, True, "PHQ-9 total 20 (severe)"),
        ({"total": 27}, True, "(severe)"),
        ({"total": 4, "items_available": False}, True, "item 9) was not seen"),
        ({"total": 22, "items_available": False}, True, "not assessed"),
        ({"total": 4, "risk_item_answered": False}, True, "item 9) was not seen"),
        ({"instrument_id": "gad7", "total": 14}, False, None),
        ({"instrument_id": "gad7", "total": 15, "items_available": False}, True, "GAD-7 total 15"),
        ({"instrument_id": "gad7", "total": 3, "items_available": False}, False, None),
        ({"instrument_id": "phq2", "total": 6, "items_available": False}, False, None),
    ],
)
def test_which_imported_results_need_a_review(overrides, queued, says) -> None:
    review = _review(**overrides)
    assert (review is not None) == queued
    if review is not None:
        assert says in review.reason
        assert review.evidence["rule"] == "imported_result_review@1.0.0"


def test_the_reason_is_plain_language_with_when() -> None:
    review = _review(total=22, items_available=False, days_before_import=1)
    assert review is not None
    assert review.reason.startswith("PHQ-9 total 22 (severe) imported from another system, "
                                    "completed yesterday.")  # fmt: skip
    assert "phq9@" not in review.reason and "UNVERIFIED" not in review.reason


def test_severe_bands_and_window_are_the_scorers_and_the_hooks() -> None:
    assert {
        "phq9": next(f for f, label in phq9.BANDS if label == "severe"),
        "gad7": next(f for f, label in gad7.BANDS if label == "severe"),
    } == SEVERE_FROM
    window = IMPORTED_RESULT_REVIEW.parameters["recent_window_days"]
    assert timedelta(days=window) == IMPORTED_RESULT_LIVE_WINDOW


# ------------------------------------------------------ the real importer (hazard HZ-019)


def _screenings(bundle: dict[str, Any], loinc: str) -> list[dict[str, Any]]:
    return [
        e["resource"] for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == loinc
    ]  # fmt: skip


def _set(observation: dict[str, Any], total: int, days_ago: float) -> None:
    observation["valueQuantity"]["value"] = total
    observation["effectiveDateTime"] = (clock.now() - timedelta(days=days_ago)).isoformat()


def _import(*paths: Path) -> str:
    out = StringIO()
    call_command("fhir", "import", *map(str, paths), "--service", "synthea", stdout=out)
    return out.getvalue()


@pytest.mark.slow  # imports a whole Synthea bundle and its support bundles, twice
@pytest.mark.django_db
def test_the_fhir_import_queues_recent_severe_and_item9_unknown_results(tmp_path) -> None:
    bundle = json.loads(ALVIN.read_text(encoding="utf-8"))
    phq9_totals, gad7_totals = _screenings(bundle, PHQ9_TOTAL), _screenings(bundle, GAD7_TOTAL)
    _set(phq9_totals[0], 22, days_ago=3)  # severe, last week, item 9 unknown
    _set(phq9_totals[1], 6, days_ago=1)  # mild, but item 9 unknown all the same
    _set(gad7_totals[0], 17, days_ago=5)  # severe anxiety, last week
    _set(gad7_totals[1], 19, days_ago=400)  # severe, but history: stays quiet
    path = tmp_path / "alvin-recent.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")

    _import(*SUPPORT, path)
    items = {i.evidence["total"]: i for i in ReviewItem.objects.all()}
    assert sorted(items) == [6, 17, 22]
    assert {i.kind for i in items.values()} == {ReviewKind.RISK_NOT_ASSESSED}
    assert {i.status for i in items.values()} == {ReviewStatus.OPEN}
    severe = items[22]
    assert "PHQ-9 total 22 (severe)" in severe.reason and "item 9) was not seen" in severe.reason
    assessment = Assessment.objects.get(score_total=22)
    assert severe.source_ref == f"assessment:{assessment.id}"
    assert severe.patient_id == assessment.patient_id
    assert "(severe)" in items[17].reason and "not seen" not in items[17].reason
    # A review is not an alert: nobody is paged for another system's result.
    assert not Alert.objects.filter(rule_id="imported_result_review").exists()

    # Re-importing the same bundle queues nothing twice.
    again = _import(*SUPPORT, path)
    assert "totals already present" in again
    assert ReviewItem.objects.count() == 3
