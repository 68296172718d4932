"""The patient's own export carries the clinician workspace's records (#13): each stepped-care
change and each case review by the team's consultant, as a ClinicalImpression with the words
the clinician wrote."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from careloop.care.models import TreatmentEpisode
from careloop.care.services import change_step
from careloop.care.types import CareStep
from careloop.core import clock
from careloop.monitoring.supervision.services import record_case_review
from careloop.monitoring.supervision.types import ReviewOutcome
from careloop.rights.data.export import iter_resources


@pytest.fixture
def episode(ada_patient) -> TreatmentEpisode:
    started = clock.now().date() - timedelta(weeks=9)
    return TreatmentEpisode.objects.create(
        service=ada_patient.service, patient=ada_patient, referred_on=started, started_on=started
    )


def test_step_changes_and_case_reviews_are_in_the_export(ben, sam, ada_patient, episode):
    change_step(ben, episode, CareStep.LOW_INTENSITY, "Guided self-help first.")
    change_step(ben, episode, CareStep.HIGH_INTENSITY, "No change after six sessions.")
    record_case_review(
        sam, ada_patient, note="Agree with stepping up.", outcome=ReviewOutcome.STEP_UP
    )

    impressions = [
        r for r in iter_resources(ada_patient) if r["resourceType"] == "ClinicalImpression"
    ]
    by_code: dict[str, list[dict[str, Any]]] = {}
    for resource in impressions:
        by_code.setdefault(resource["code"]["coding"][0]["code"], []).append(resource)
    steps = by_code["stepped-care-change"]
    assert [s["summary"] for s in steps] == [
        "Set to Step 2: low-intensity guided self-help",
        "Changed from Step 2: low-intensity guided self-help to "
        "Step 3: high-intensity psychological therapy",
    ]
    assert steps[1]["note"] == [{"text": "No change after six sessions."}]
    assert steps[1]["encounter"] == {"reference": f"EpisodeOfCare/{episode.id}"}
    (review,) = by_code["case-review"]
    assert review["summary"] == "Signed off: Step up treatment"
    assert review["assessor"] == {"reference": f"Practitioner/{sam.id}"}
    assert review["status"] == "completed" and review["subject"]["reference"].endswith(
        str(ada_patient.id)
    )
