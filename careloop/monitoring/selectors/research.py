"""System read for analytics' research extract: check-in moods of consenting patients."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from careloop.monitoring.models import CheckIn


def moods_for_research_for_system(
    patient_ids: Iterable[uuid.UUID],
) -> Iterator[tuple[uuid.UUID, datetime, int]]:
    """Each mood check-in of these patients as (patient id, completed at, mood). The caller holds
    only patients consenting to research (privacy.consent) and audits the release."""
    return (
        CheckIn.objects.filter(patient_id__in=patient_ids)
        .values_list("patient_id", "completed_at", "mood")
        .iterator(2000)
    )
