"""Saving a safety plan: every save a new immutable version, stale saves refused, all audited."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.care.selectors import patient_visible_to
from careloop.core.errors import NotFound
from careloop.safety.planning import selectors
from careloop.safety.planning.errors import InvalidSafetyPlan, StaleSafetyPlan
from careloop.safety.planning.models import ImmutableRow, SafetyPlan, SafetyPlanVersion
from careloop.safety.planning.services import save_safety_plan

SIGNS = {"warning_signs": [{"text": "I stop answering messages"}]}


def test_patient_and_clinician_each_save_a_new_version_and_none_is_lost(
    ada, ada_patient, ben
) -> None:
    first = save_safety_plan(ada_patient, actor=ada, base_version=0, sections=SIGNS)
    more = {**SIGNS, "internal_coping": [{"text": "Walk the dog"}]}
    second = save_safety_plan(ada_patient, actor=ben, base_version=1, sections=more)
    assert (first.number, first.author, first.author_role) == (1, ada, "patient")
    assert (second.number, second.author, second.author_role) == (2, ben, "clinician")
    opened = patient_visible_to(ben, ada_patient.id)  # the reads fail closed without a reader
    history = list(selectors.versions_of(opened))
    assert [v.number for v in history] == [2, 1]
    assert history[1].content["sections"]["internal_coping"] == []  # v1 kept as it was
    assert selectors.current_version_of(opened) == second
    assert SafetyPlan.objects.get(patient=ada_patient).current_version == 2


def test_a_save_from_an_old_version_is_refused_and_nothing_is_stored(ada, ada_patient, ben) -> None:
    save_safety_plan(ada_patient, actor=ada, base_version=0, sections=SIGNS)
    save_safety_plan(ada_patient, actor=ben, base_version=1, sections=SIGNS)
    with pytest.raises(StaleSafetyPlan, match="version 2 was saved by a member of the care team"):
        save_safety_plan(ada_patient, actor=ada, base_version=1, sections={})
    with pytest.raises(StaleSafetyPlan, match="newest version is 2"):
        save_safety_plan(ada_patient, actor=ada, base_version=7, sections={})
    assert SafetyPlanVersion.objects.count() == 2


def test_a_concurrent_insert_of_the_same_number_becomes_a_conflict_not_a_lost_update(
    ada, ada_patient, ben
) -> None:
    """Simulate the race the row lock prevents on PostgreSQL (SQLite has no row locks): the other
    save's version row exists, but our read of the plan pointer was taken before it committed."""
    save_safety_plan(ada_patient, actor=ada, base_version=0, sections=SIGNS)
    plan = SafetyPlan.objects.get(patient=ada_patient)
    SafetyPlanVersion.objects.create(
        service=plan.service,
        plan=plan,
        number=2,
        content={},
        author=ben,
        author_role="clinician",
        created_at=plan.created_at,
    )
    with pytest.raises(StaleSafetyPlan):
        save_safety_plan(ada_patient, actor=ada, base_version=1, sections=SIGNS)
    assert SafetyPlanVersion.objects.count() == 2


def test_versions_cannot_be_changed_or_deleted(ada, ada_patient) -> None:
    version = save_safety_plan(ada_patient, actor=ada, base_version=0, sections=SIGNS)
    version.content = {}
    with pytest.raises(ImmutableRow):
        version.save()
    with pytest.raises(ImmutableRow):
        version.delete()
    assert SafetyPlanVersion.objects.get().content["sections"]["warning_signs"]


def test_every_save_is_audited_without_the_plan_text(ada, ada_patient, ben) -> None:
    save_safety_plan(ada_patient, actor=ada, base_version=0, sections=SIGNS)
    save_safety_plan(ada_patient, actor=ben, base_version=1, sections=SIGNS)
    events = AuditEvent.objects.filter(action=AuditAction.SAFETY_PLAN_SAVED).order_by("id")
    assert [(e.actor_id, e.purpose, e.detail["version"]) for e in events] == [
        (ada.id, "PATRQT", 1),
        (ben.id, "TREAT", 2),
    ]
    assert all(e.patient_ref == patient_ref(ada_patient.id) for e in events)
    assert "stop answering" not in str([e.detail for e in events])


def test_outsiders_cannot_save(ada_patient, dana, cleo, bob) -> None:
    for outsider in (dana, cleo, bob):
        with pytest.raises(NotFound):
            save_safety_plan(ada_patient, actor=outsider, base_version=0, sections=SIGNS)
    assert SafetyPlanVersion.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.SAFETY_PLAN_SAVED).exists()


def test_invalid_content_is_refused_before_anything_is_written(ada, ada_patient) -> None:
    with pytest.raises(InvalidSafetyPlan, match="unknown section"):
        save_safety_plan(ada_patient, actor=ada, base_version=0, sections={"x": []})
    assert SafetyPlan.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_version_keep_one_and_refuse_the_other(
    ada, ada_patient, ben
) -> None:
    """Real concurrency: two connections race to save on top of version 1."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are what is tested; SQLite has none")
    save_safety_plan(ada_patient, actor=ada, base_version=0, sections=SIGNS)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor) -> None:
        try:
            start.wait()
            save_safety_plan(ada_patient, actor=actor, base_version=1, sections=SIGNS)
            outcomes.append("saved")
        except StaleSafetyPlan:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(user,)) for user in (ada, ben)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved", "stale"]
    assert list(SafetyPlanVersion.objects.order_by("number").values_list("number", flat=True)) == [
        1,
        2,
    ]
