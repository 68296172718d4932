from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careloop.assessments.services import submit_assessment
from careloop.assessments.types import SubmissionSource
from careloop.audit.models import AuditEvent
from careloop.audit.selectors import patient_ref
from careloop.audit.types import AuditAction
from careloop.care.models import Patient, TreatmentEpisode
from careloop.care.types import EpisodeEnding
from careloop.core import clock
from careloop.monitoring.models import CheckIn
from careloop.monitoring.selectors import caseload as caseload_selectors
from careloop.monitoring.selectors import caseload_page, caseload_rows, schedule_for
from careloop.monitoring.services import PlanItemChange, change_plan_item, ensure_default_plan


def _submit(patient, user, instrument, answers, days_ago):
    submit_assessment(
        patient,
        actor=user,
        instrument_id=instrument,
        answers=answers,
        client_id=uuid.uuid4(),
        source=SubmissionSource.SEED,
        completed_at=clock.now() - timedelta(days=days_ago),
    )


def test_caseload_shows_baseline_latest_and_change_for_team_patients(
    as_user, ada, ada_patient, ben
) -> None:
    TreatmentEpisode.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        referred_on=clock.now().date(),
        started_on=clock.now().date() - timedelta(days=30),
        ending=EpisodeEnding.ONGOING,
    )
    _submit(ada_patient, ada, "phq9", [2, 2, 2, 2, 2, 2, 2, 2, 0], 21)  # 16
    _submit(ada_patient, ada, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 0], 7)  # 8
    _submit(ada_patient, ada, "gad7", [2, 2, 2, 2, 1, 1, 1], 21)  # 11
    rows = as_user(ben).get("/api/caseload").json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["phq9_baseline"], row["phq9_latest"], row["phq9_change"]) == (16, 8, -8)
    assert (row["gad7_baseline"], row["gad7_latest"], row["gad7_change"]) == (11, 11, 0)
    assert row["last_submission_at"] is not None
    page = as_user(ben).get("/caseload/")
    assert page.status_code == 200 and b"Ada Test" in page.content and b"-8" in page.content


def test_viewing_the_caseload_audits_each_patient_shown(as_user, ada_patient, ben) -> None:
    as_user(ben).get("/caseload/")
    events = AuditEvent.objects.filter(action=AuditAction.CASELOAD_VIEWED)
    assert [(e.actor_id, e.patient_ref) for e in events] == [(ben.id, patient_ref(ada_patient.id))]


def test_outsider_sees_an_empty_caseload_and_404_for_the_patient(
    as_user, ada_patient, dana
) -> None:
    assert as_user(dana).get("/api/caseload").json() == []
    assert as_user(dana).get(f"/patients/{ada_patient.id}/").status_code == 404


def test_admin_and_researcher_do_not_see_patient_records(as_user, ada_patient, cleo) -> None:
    assert as_user(cleo).get(f"/patients/{ada_patient.id}/").status_code == 404
    assert as_user(cleo).get("/api/caseload").json() == []
    assert as_user(cleo).get("/caseload/").status_code == 404


def test_patient_page_lists_history_and_is_audited(as_user, ada, ada_patient, ben) -> None:
    _submit(ada_patient, ada, "phq9", [1] * 9, 3)
    page = as_user(ben).get(f"/patients/{ada_patient.id}/")
    assert page.status_code == 200 and b"phq9@" in page.content
    assert AuditEvent.objects.filter(action=AuditAction.PATIENT_VIEWED, actor=ben).count() == 1


# --- Overdue and missed-in-a-row columns -------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday
    monkeypatch.setattr(clock, "now", lambda: now)
    return now


def _registered(patient, when) -> None:
    Patient.objects.filter(pk=patient.pk).update(created_at=when)
    patient.refresh_from_db()


def test_registry_shows_overdue_measures_and_the_longest_missed_run(
    as_user, ada, ada_patient, ben, frozen
) -> None:
    _registered(ada_patient, frozen - timedelta(days=28))
    # Check-ins are kept up daily, so the questionnaires set the run.
    ensure_default_plan(ada_patient, actor=ben)
    change_plan_item(
        ada_patient,
        actor=ben,
        measure="checkin",
        change=PlanItemChange(every_days=1, overdue_after_days=0, active=False),
    )
    _submit(ada_patient, ada, "phq9", [1] * 9, 14)  # due 23 Feb; that window closed on the 26th
    _submit(ada_patient, ada, "gad7", [1] * 7, 2)  # done Saturday: not due
    row = as_user(ben).get("/api/caseload").json()[0]
    assert (row["overdue"], row["missed_in_a_row"], row["missed_measure"]) == (
        ["PHQ-9"],
        1,
        "PHQ-9",
    )
    assert row["missed_flag"] is False
    frozen_later = frozen + timedelta(days=7)
    rows = caseload_rows(ben, now=frozen_later)
    assert (rows[0].missed_in_a_row, rows[0].is_missed_flagged) == (2, True)


def test_registry_page_flags_a_run_of_missed_windows(as_user, ada_patient, ben, frozen) -> None:
    _registered(ada_patient, frozen - timedelta(days=15))  # never done anything
    page = as_user(ben).get("/caseload/").content.decode()
    # 15 daily check-in windows closed since registration; PHQ-9 and GAD-7 missed 2 weeks.
    assert re.search(r'class="missed"><span class="badge">15</span> \(Mood check-in\)', page)
    assert "PHQ-9, GAD-7, Mood check-in" in page


def _patients(service, team, count: int) -> None:
    for n in range(count):
        patient = Patient.objects.create(service=service, care_team=team, display_name=f"P{n}")
        if n % 2:  # half with a stored plan, half on the computed default
            ensure_default_plan(patient, actor=None)
        CheckIn.objects.create(
            service=service,
            patient=patient,
            mood=5,
            completed_at=clock.now(),
            recorded_at=clock.now(),
            source=SubmissionSource.SEED,
            client_id=uuid.uuid4(),
        )


def test_registry_reads_in_a_constant_number_of_queries(
    ada, ada_patient, ben, north, django_assert_max_num_queries
) -> None:
    _submit(ada_patient, ada, "phq9", [1] * 9, 3)
    ensure_default_plan(ada_patient, actor=None)
    with CaptureQueriesContext(connection) as one_patient:
        assert len(caseload_rows(ben)) == 1
    _patients(ada_patient.service, north, 12)
    # 5, plus the reader's teams and break-glass grants, read once so the visibility conditions
    # name them as values (care.selectors.access._candidates).
    with django_assert_max_num_queries(7), CaptureQueriesContext(connection) as many:
        rows = caseload_rows(ben)
    assert len(rows) == 13
    assert len(many.captured_queries) == len(one_patient.captured_queries)


def test_discharged_patients_are_not_chased_as_overdue(
    as_user, ada, ada_patient, ben, frozen
) -> None:
    """After discharge nothing is due or missed: the registry says 'discharged' instead."""
    _registered(ada_patient, frozen - timedelta(days=60))
    TreatmentEpisode.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        referred_on=(frozen - timedelta(days=60)).date(),
        started_on=(frozen - timedelta(days=60)).date(),
        ended_on=(frozen - timedelta(days=20)).date(),
        ending=EpisodeEnding.COMPLETED,
    )
    row = as_user(ben).get("/api/caseload").json()[0]
    assert (row["in_care"], row["overdue"], row["missed_in_a_row"]) == (False, [], 0)
    assert "discharged" in as_user(ben).get("/caseload/").content.decode()
    assert schedule_for(ada_patient, frozen) == []
    # Back in care (a new episode): due and missed windows count again.
    TreatmentEpisode.objects.create(
        service=ada_patient.service,
        patient=ada_patient,
        referred_on=(frozen - timedelta(days=10)).date(),
        started_on=(frozen - timedelta(days=10)).date(),
        ending=EpisodeEnding.ONGOING,
    )
    row = as_user(ben).get("/api/caseload").json()[0]
    assert row["in_care"] is True and row["overdue"]


# --- Pages of the registry ---------------------------------------------------------------------


def _rows_of(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


def test_the_registry_page_is_paged_in_the_registry_order_and_audits_each_page_shown(
    as_user, ada, ada_patient, ben, north, monkeypatch
) -> None:
    """Pages cut the ranked registry (open alerts, in care, latest PHQ-9, name) in pages of
    REGISTRY_PAGE_SIZE; each page audits the patients it shows; the API stays unpaged."""
    monkeypatch.setattr(caseload_selectors, "REGISTRY_PAGE_SIZE", 5)
    _submit(ada_patient, ada, "phq9", [3] * 8 + [0], 3)  # 24: first by latest PHQ-9
    _patients(ada_patient.service, north, 11)
    ranked = [row.patient.display_name for row in caseload_rows(ben)]
    assert len(ranked) == 12 and ranked[0] == "Ada Test"
    client = as_user(ben)
    pages = [client.get("/caseload/", {"page": n}).content.decode() for n in (1, 2, 3)]
    assert [name for page in pages for name in _rows_of(page)] == ranked
    assert [len(_rows_of(page)) for page in pages] == [5, 5, 2]
    first = pages[0]
    assert "Patients 1–5 of 12" in first and 'href="?page=2" rel="next"' in first
    assert '<a href="?page=1" aria-current="page">Page 1</a>' in first and 'rel="prev"' not in first
    assert 'href="?page=2" rel="prev"' in pages[2] and 'rel="next"' not in pages[2]
    # Not a number: the first page; past the end: the last.
    assert _rows_of(client.get("/caseload/", {"page": "x"}).content.decode()) == ranked[:5]
    assert _rows_of(client.get("/caseload/", {"page": 9}).content.decode()) == ranked[10:]
    viewed = AuditEvent.objects.filter(action=AuditAction.CASELOAD_VIEWED).order_by("seq")
    first_page_refs = [e.patient_ref for e in viewed[:5]]
    by_name = {p.display_name: p.id for p in Patient.objects.all()}
    assert first_page_refs == [patient_ref(by_name[name]) for name in ranked[:5]]
    assert viewed.count() == 5 + 5 + 2 + 5 + 2
    assert len(client.get("/api/caseload").json()) == 12


def test_a_single_page_registry_shows_no_page_links(as_user, ada_patient, ben) -> None:
    page = as_user(ben).get("/caseload/").content.decode()
    assert _rows_of(page) == ["Ada Test"] and "Caseload pages" not in page


def test_registry_page_reads_in_a_constant_number_of_queries(ada, ada_patient, ben, north) -> None:
    _submit(ada_patient, ada, "phq9", [1] * 9, 3)
    ensure_default_plan(ada_patient, actor=None)
    with CaptureQueriesContext(connection) as one_patient:
        assert len(caseload_page(ben).rows) == 1
    _patients(ada_patient.service, north, 12)
    with CaptureQueriesContext(connection) as many:
        page = caseload_page(ben, 2, per_page=5)
    assert (len(page.rows), page.total, page.page_count, page.first_position) == (5, 13, 3, 6)
    assert len(many.captured_queries) == len(one_patient.captured_queries)
