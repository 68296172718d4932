"""The retention policy is complete and consistent: every table of patient data is classified,
and erasure handles each one (deletes it, or keeps it as the policy says)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from careloop.core import patient_data
from careloop.core.patient_data import patient_data_models, registered, unregistered
from careloop.rights.data.erasure import KEPT_BY_ERASE_PATIENT
from careloop.rights.data.export import SHAPERS
from careloop.rights.data.retention import (
    POLICY,
    Disposition,
    ExportKind,
    UnclassifiedRecordType,
    legal_hold_until,
    rule_for,
)


def test_every_table_of_patient_data_is_classified_and_erasure_covers_it():
    entries = registered()
    for label in patient_data_models():
        rule = rule_for(label)  # raises UnclassifiedRecordType for a new, unclassified table
        entry = entries[label]  # careloop/<domain>/patient_data.py registers it
        if rule.disposition == Disposition.ERASE:
            assert entry.erase, f"{label} is erasable but erasure never deletes it"
        elif rule.disposition == Disposition.LEGAL_HOLD:
            assert entry.held and not entry.erase, f"erasure must keep {label} as held"
        elif rule.disposition != Disposition.NOT_PATIENT_DATA:
            assert label in KEPT_BY_ERASE_PATIENT, f"erase_patient must keep {label}"


def test_every_table_of_patient_data_is_registered_by_its_domain():
    """A model with a foreign key (or a chain of them) to a patient or their login, added in
    any domain, fails here until that domain's patient_data.py says how it is exported, erased
    or held (careloop.core.patient_data)."""
    assert unregistered() == []


def test_a_table_its_domain_forgot_to_register_fails_the_registry_check(monkeypatch):
    registered()  # discovery first, so the entry is there to take out
    monkeypatch.delitem(patient_data._REGISTRY, "journal.JournalEntry")
    assert unregistered() == ["journal.JournalEntry"]


def test_the_registry_the_retention_table_and_the_export_agree():
    entries = registered()
    assert set(entries) == {rule.model for rule in POLICY}
    for label, entry in entries.items():
        rule = rule_for(label)
        assert entry.staff_only == (rule.disposition == Disposition.NOT_PATIENT_DATA), label
        assert (label in SHAPERS) == (entry.rows is not None), f"shape {label}'s rows"
        assert (rule.export == ExportKind.RESOURCE) == (label in SHAPERS), label
        if rule.export == ExportKind.PART_OF:
            assert entry.part_of in SHAPERS, f"{label} is part of a type that is not exported"


def test_the_inventory_finds_indirect_and_keyless_stores():
    found = patient_data_models()
    # two hops from the patient, a user-only link, a session blob and a bulk-export file
    for label in ("safety.InboxEntry", "notifications.Notification", "sessions.Session"):
        assert label in found
    assert "fhir.ExportPart" in found
    assert "core.Service" not in found


def test_an_unknown_table_is_refused():
    with pytest.raises(UnclassifiedRecordType):
        rule_for("newapp.NewTable")


def test_one_rule_per_table_and_held_periods_are_flagged_unverified():
    labels = [rule.model for rule in POLICY]
    assert len(labels) == len(set(labels))
    for rule in POLICY:
        if rule.disposition == Disposition.LEGAL_HOLD:
            assert rule.period and not rule.verified  # the references give no period: UNVERIFIED
            assert rule.legal_basis


@pytest.mark.parametrize(
    ("closed", "years", "until"),
    [
        (datetime(2026, 3, 1, tzinfo=UTC), 20, datetime(2046, 3, 1, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 1, datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 4, datetime(2028, 2, 29, tzinfo=UTC)),
    ],
)
def test_legal_hold_ends_whole_years_after_the_last_closed_record(closed, years, until):
    assert legal_hold_until(closed, years=years) == until


def test_a_negative_period_is_refused():
    with pytest.raises(ValueError, match="negative"):
        legal_hold_until(datetime(2026, 1, 1, tzinfo=UTC), years=-1)
