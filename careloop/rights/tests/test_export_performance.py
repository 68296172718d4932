"""P4's performance bound: a patient with 10,000 records exports in at most 60 seconds."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest

from careloop.assessments.models import Assessment
from careloop.assessments.types import SubmissionSource
from careloop.core import clock
from careloop.journal.models import JournalEntry
from careloop.monitoring.models import CheckIn
from careloop.rights.data.export import export_patient

RECORDS = 10_000


@pytest.mark.slow  # writes 10,000 records per kind, then exports them all
def test_ten_thousand_records_export_within_a_minute(ada_patient):
    start = clock.now() - timedelta(days=RECORDS)
    common = {"service_id": ada_patient.service_id, "patient": ada_patient}
    Assessment.objects.bulk_create(
        Assessment(
            **common,
            instrument_id="phq9",
            instrument_version="phq9@1.0.0",
            answers=[i % 4, 1, 2, 1, 0, 1, 1, 0, 0, 1],
            score_total=7 + i % 4,
            completed_at=start + timedelta(days=i),
            recorded_at=start + timedelta(days=i),
            source=SubmissionSource.SEED,
            client_id=uuid.uuid4(),
        )
        for i in range(5_000)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            **common,
            mood=i % 11,
            note="slept badly" if i % 3 == 0 else "",
            completed_at=start + timedelta(days=i),
            recorded_at=start + timedelta(days=i),
            source=SubmissionSource.SEED,
            client_id=uuid.uuid4(),
        )
        for i in range(4_000)
    )
    JournalEntry.objects.bulk_create(
        JournalEntry(
            **common,
            author=ada_patient.user,
            body=f"Journal entry number {i}",
            created_at=start + timedelta(days=i),
            client_id=uuid.uuid4(),
        )
        for i in range(1_000)
    )

    began = time.perf_counter()
    bundle = export_patient(ada_patient.user, ada_patient)
    seconds = time.perf_counter() - began

    # 5,000 questionnaires give a QuestionnaireResponse and a total-score Observation each
    assert len(bundle["entry"]) >= RECORDS + 5_000
    print(f"\nexported {len(bundle['entry'])} resources of {RECORDS} records in {seconds:.1f} s")
    assert seconds <= 60
