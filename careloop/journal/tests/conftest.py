from __future__ import annotations

import uuid

import pytest

from careloop.journal.models import JournalEntry
from careloop.journal.services import write_entry
from careloop.privacy.policy import DataStream, PurposeOfUse
from careloop.privacy.services import decide, publish_default_documents
from careloop.privacy.types import Choice

CRISIS = "Work was long and I cooked pasta. I want to kill myself tonight. My sister called."
NEUTRAL = "Slept well and went for a walk by the river."


@pytest.fixture
def write(ada, ada_patient):
    def _write(body: str = NEUTRAL, *, shared: bool = False, **kwargs) -> JournalEntry:
        entry, created = write_entry(
            ada, ada_patient, body=body, shared=shared, client_id=uuid.uuid4(), **kwargs
        )
        assert created
        return entry

    return _write


@pytest.fixture
def journal_consent(ada, ada_patient):
    """Ada agrees that her care team may read the journal entries she shares (opt-in)."""

    def _decide(choice: Choice = Choice.GIVEN) -> None:
        publish_default_documents(ada_patient.service_id)
        decide(
            actor=ada,
            patient=ada_patient,
            purpose=PurposeOfUse.TREAT,
            stream=DataStream.JOURNAL,
            choice=choice,
        )

    return _decide
