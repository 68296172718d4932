"""The clinician review queue: idempotent requests, audited, caseload-only, break-glass reads."""

from __future__ import annotations

import uuid

import pytest
from django.db import transaction

from careloop.audit.models import AuditEvent
from careloop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from careloop.privacy import breakglass
from careloop.safety.models import ReviewItem
from careloop.safety.selectors import open_reviews_for_caseload, review_item_visible_to
from careloop.safety.services.review import complete_review, request_review
from careloop.safety.types import ReviewKind, ReviewStatus


def _request(patient, source_ref: str = "assessment:1") -> ReviewItem:
    return request_review(
        patient=patient,
        kind=ReviewKind.RISK_NOT_ASSESSED,
        reason="Imported PHQ-9 total 22 (severe): the self-harm question was not seen.",
        evidence={"total": 22},
        source_ref=source_ref,
    )


def test_a_request_is_stored_once_per_kind_and_source_and_audited(ada_patient) -> None:
    first = _request(ada_patient)
    again = _request(ada_patient)
    assert first.id == again.id and ReviewItem.objects.count() == 1
    assert first.status == ReviewStatus.OPEN and first.evidence == {"total": 22}
    # Same source, another kind is another question for the clinician.
    request_review(
        patient=ada_patient,
        kind=ReviewKind.TEXT_NOT_SCREENED,
        reason="Text in a language the detector does not cover.",
        evidence={},
        source_ref="assessment:1",
    )
    assert ReviewItem.objects.count() == 2
    events = AuditEvent.objects.filter(action="review.requested")
    assert events.count() == 2
    assert "self-harm" not in str(events.first().detail)  # codes only, never the reason


def _request_then_fail(patient) -> None:
    with transaction.atomic():
        _request(patient)
        raise RuntimeError("the import failed")


def test_a_request_rolls_back_with_its_callers_transaction(ada_patient) -> None:
    with pytest.raises(RuntimeError):
        _request_then_fail(ada_patient)
    assert not ReviewItem.objects.exists()
    assert not AuditEvent.objects.filter(action="review.requested").exists()


@pytest.mark.parametrize(
    ("kind", "reason", "source_ref"),
    [("bogus", "why", "x:1"), (ReviewKind.RISK_NOT_ASSESSED, "  ", "x:1"),
     (ReviewKind.RISK_NOT_ASSESSED, "why", ""), (ReviewKind.RISK_NOT_ASSESSED, "why", "x" * 201)],
)  # fmt: skip
def test_bad_requests_are_refused(ada_patient, kind, reason, source_ref) -> None:
    with pytest.raises(InvalidInput):
        request_review(
            patient=ada_patient, kind=kind, reason=reason, evidence={}, source_ref=source_ref
        )


def test_the_care_team_sees_and_completes_the_item_outsiders_get_not_found(
    ada_patient, ben, dana
) -> None:
    item = _request(ada_patient)
    assert list(open_reviews_for_caseload(ben)) == [item]
    assert not open_reviews_for_caseload(dana).exists()
    with pytest.raises(NotFound):
        review_item_visible_to(dana, item.id)
    with pytest.raises(NotFound):
        review_item_visible_to(ben, uuid.uuid4())
    done = complete_review(ben, review_item_visible_to(ben, item.id), "Phoned Ada; no risk now.")
    assert done.status == ReviewStatus.REVIEWED and done.reviewed_by == ben
    stored = ReviewItem.objects.get(id=item.id)
    assert (stored.status, stored.outcome_note) == (
        ReviewStatus.REVIEWED,
        "Phoned Ada; no risk now.",
    )
    assert not open_reviews_for_caseload(ben).exists()
    assert AuditEvent.objects.filter(action="review.completed", actor=ben).count() == 1
    with pytest.raises(Conflict):
        complete_review(ben, review_item_visible_to(ben, item.id), "again")


def test_a_review_needs_a_note(ada_patient, ben) -> None:
    item = _request(ada_patient)
    with pytest.raises(InvalidInput):
        complete_review(ben, review_item_visible_to(ben, item.id), "   ")


def test_break_glass_reads_the_item_but_cannot_close_the_teams_review(ada_patient, dana) -> None:
    item = _request(ada_patient)
    breakglass.start(actor=dana, patient=ada_patient, reason="Patient in A&E, team unreachable")
    seen = review_item_visible_to(dana, item.id)
    assert not open_reviews_for_caseload(dana).exists()  # not her caseload's work
    with pytest.raises(PermissionDenied):
        complete_review(dana, seen, "closing someone else's review")
    assert ReviewItem.objects.get(id=item.id).status == ReviewStatus.OPEN


def test_the_page_lists_the_caseload_and_marks_reviewed(
    as_user, ada, ada_patient, ben, dana
) -> None:
    item = _request(ada_patient)
    assert as_user(ada).get("/alerts/review/").status_code == 404  # patients: not their page
    alerts_page = as_user(ben).get("/alerts/").content.decode()
    assert "/alerts/review/" in alerts_page and "1 item to review" in alerts_page
    page = as_user(ben).get("/alerts/review/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ada Test" in html and "self-harm question was not seen" in html
    assert "Risk not assessed" in html
    assert as_user(dana).get("/alerts/review/").content.decode().count("data-review-id") == 0
    url = f"/alerts/review/{item.id}/reviewed"
    assert as_user(dana).post(url, {"note": "x"}).status_code == 404
    empty = as_user(ben).post(url, {"note": ""})
    assert empty.status_code == 302 and ReviewItem.objects.get(id=item.id).is_open
    done = as_user(ben).post(url, {"note": "Reviewed with the GP record."})
    assert done.status_code == 302
    assert ReviewItem.objects.get(id=item.id).status == ReviewStatus.REVIEWED
    assert "data-review-id" not in as_user(ben).get("/alerts/review/").content.decode()


def test_the_service_judges_the_write_itself_even_without_the_selector(ada_patient, dana) -> None:
    item = _request(ada_patient)
    with pytest.raises(NotFound):
        complete_review(dana, ReviewItem.objects.get(id=item.id), "not my patient")
    assert ReviewItem.objects.get(id=item.id).is_open
