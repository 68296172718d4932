"""The safety lead's review: only supervisors and service admins of the service, audited."""

from __future__ import annotations

import pytest

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.safety.planning.models import CrisisResourceReview
from careloop.safety.planning.selectors import crisis_directory

PAGE = "/safety/crisis-resources/review/"
API = "/api/safety/crisis-resource-reviews"


def _sha(entry_id: str) -> str:
    line = crisis_directory().line(entry_id)
    assert line is not None
    return line.content_sha256


def _confirm_api(client, entry_id: str, sha: str | None = None):
    body = {"entry_sha256": sha or _sha(entry_id)}
    return client.post(f"{API}/{entry_id}/confirm", body, content_type="application/json")


def test_supervisor_lists_lines_with_their_state(as_user, sam) -> None:
    body = as_user(sam).get(API).json()
    assert body["country"] == "GB" and body["emergency_number"] == "999"
    assert body["data_sha256"] == crisis_directory().sha256
    states = {line["id"]: line["state"] for line in body["lines"]}
    assert states == {
        "gb-samaritans": "not_confirmed",
        "gb-nhs-111-mental-health": "not_confirmed",
        "gb-shout": "unverified",
    }


def test_confirming_is_audited_with_the_data_file_version_and_hash(as_user, sam, service) -> None:
    first = _confirm_api(as_user(sam), "gb-samaritans")
    assert first.status_code == 201 and first.json()["changed"] is True
    again = _confirm_api(as_user(sam), "gb-samaritans")
    assert again.status_code == 200 and again.json()["changed"] is False
    review = CrisisResourceReview.objects.get()
    directory = crisis_directory()
    assert (review.service, review.confirmed_by, review.entry_sha256) == (
        service,
        sam,
        _sha("gb-samaritans"),
    )
    assert (review.data_version, review.data_sha256) == (directory.version, directory.sha256)
    event = AuditEvent.objects.get(action=AuditAction.CRISIS_LINE_CONFIRMED)
    assert event.actor_id == sam.id and event.service_id == service.id
    assert event.detail["entry_id"] == "gb-samaritans"
    assert event.detail["data_sha256"] == directory.sha256
    states = {line["id"]: line for line in as_user(sam).get(API).json()["lines"]}
    assert states["gb-samaritans"]["state"] == "confirmed"
    assert states["gb-samaritans"]["confirmed_by"] == "sam"


def test_withdrawing_stops_showing_the_line_keeps_the_row_and_is_audited(
    as_user, cleo, ada, ada_patient
) -> None:
    _confirm_api(as_user(cleo), "gb-samaritans")
    assert b"tel:116123" in as_user(ada).get("/safety/crisis/").content
    response = as_user(cleo).post(f"{API}/gb-samaritans/withdraw")
    assert response.status_code == 200
    assert b"tel:116123" not in as_user(ada).get("/safety/crisis/").content
    review = CrisisResourceReview.objects.get()
    assert review.withdrawn_by == cleo and review.withdrawn_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.CRISIS_LINE_WITHDRAWN, actor=cleo).exists()
    assert as_user(cleo).post(f"{API}/gb-samaritans/withdraw").status_code == 409


def test_unverified_line_cannot_be_confirmed(as_user, sam) -> None:
    response = _confirm_api(as_user(sam), "gb-shout")
    assert response.status_code == 422
    assert "UNVERIFIED" in response.json()["detail"]
    assert CrisisResourceReview.objects.count() == 0


def test_confirming_content_the_reviewer_did_not_see_is_refused(as_user, sam) -> None:
    response = _confirm_api(as_user(sam), "gb-samaritans", sha="0" * 64)
    assert response.status_code == 409
    assert "changed since you opened it" in response.json()["detail"]
    assert CrisisResourceReview.objects.count() == 0


@pytest.mark.parametrize(
    ("entry_id", "body", "status"),
    [
        ("us-988-lifeline", None, 404),  # another country's line: not this service's to confirm
        ("no-such-line", None, 404),
        ("gb-samaritans", {"entry_sha256": "short"}, 422),
        ("gb-samaritans", {}, 422),
    ],
)
def test_bad_review_requests_get_a_4xx(as_user, sam, entry_id, body, status) -> None:
    if body is None:
        body = {"entry_sha256": _sha(entry_id) if crisis_directory().line(entry_id) else "0" * 64}
    response = as_user(sam).post(f"{API}/{entry_id}/confirm", body, content_type="application/json")
    assert response.status_code == status
    assert CrisisResourceReview.objects.count() == 0


@pytest.mark.parametrize("who", ["ada", "ben", "dana"])
def test_only_supervisors_and_admins_reach_the_review_others_get_404(
    request, as_user, ada_patient, who
) -> None:
    client = as_user(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"entry_id": "gb-samaritans", "action": "confirm"}).status_code == 404
    assert client.get(API).status_code == 404
    assert _confirm_api(client, "gb-samaritans").status_code == 404
    assert client.post(f"{API}/gb-samaritans/withdraw").status_code == 404
    assert CrisisResourceReview.objects.count() == 0


def test_another_services_lead_cannot_touch_this_services_confirmations(
    as_user, sam, olga, service
) -> None:
    _confirm_api(as_user(sam), "gb-samaritans")
    assert as_user(olga).post(f"{API}/gb-samaritans/withdraw").status_code == 409
    assert CrisisResourceReview.objects.get(service=service).withdrawn_at is None
    olga_view = {line["id"]: line["state"] for line in as_user(olga).get(API).json()["lines"]}
    assert olga_view["gb-samaritans"] == "not_confirmed"


def test_staff_without_mfa_cannot_review(sam) -> None:
    from conftest import signed_in

    client = signed_in(sam, mfa_verified=False)
    assert client.get(API).status_code == 403
    assert client.get(PAGE).status_code == 302


def test_review_page_confirms_and_withdraws_with_the_form(as_user, sam) -> None:
    client = as_user(sam)
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "UNVERIFIED: never shown" in html and "Shout" in html
    assert crisis_directory().sha256 in html
    form = {
        "entry_id": "gb-nhs-111-mental-health",
        "entry_sha256": _sha("gb-nhs-111-mental-health"),
    }
    done = client.post(PAGE, {**form, "action": "confirm"})
    assert done.status_code == 302
    assert "Confirmed: shown to patients" in client.get(PAGE).content.decode()
    assert client.post(PAGE, {**form, "action": "withdraw"}).status_code == 302
    refused = client.post(
        PAGE, {"entry_id": "gb-shout", "entry_sha256": _sha("gb-shout"), "action": "confirm"}
    )
    assert refused.status_code == 422 and b"UNVERIFIED" in refused.content
    assert client.post(PAGE, {**form, "action": "delete"}).status_code == 400
    assert CrisisResourceReview.objects.filter(withdrawn_at__isnull=True).count() == 0
