"""A database lost while the session is saved is a 503 to retry, never a 400 that says nothing
was saved (seen under the fault test: the PHQ-9 had committed, the client was told 400)."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.db import DatabaseError, OperationalError

from careloop.accounts.sessions import SEEN_KEY

PHQ9_RISK = [1, 1, 1, 1, 1, 1, 1, 1, 2]


def _stale_session(client) -> None:
    """Make the next request rewrite the session (its last-seen stamp is old)."""
    session = client.session
    session[SEEN_KEY] = float(session[SEEN_KEY]) - 60
    session.save()


def _raising(error: Exception):
    def save(self, must_create: bool = False) -> None:
        if must_create:
            return original_save(self, must_create)
        try:
            raise error
        except DatabaseError:
            raise UpdateError  # noqa: B904  # exactly as Django's db backend does (implicit chain)

    return save


original_save = SessionStore.save


@pytest.mark.parametrize("path", ["/api/assessments"])
def test_a_lost_connection_while_saving_the_session_is_503_and_the_answer_is_kept(
    as_user, ada, path
) -> None:
    client = as_user(ada)
    _stale_session(client)
    body = {"instrument": "phq9", "answers": PHQ9_RISK, "client_id": str(uuid.uuid4())}
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(SessionStore, "save", _raising(lost)):
        response = client.post(path, body, content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "1" and "try again" in response.json()["detail"]
    # The client re-sends the same submission: stored once, acknowledged now.
    again = client.post(path, body, content_type="application/json")
    assert again.status_code == 200 and again.json()["client_id"] == body["client_id"]


def test_pages_and_fhir_get_a_503_too(as_user, ada) -> None:
    client = as_user(ada)
    lost = OperationalError("terminating connection due to administrator command")
    for path, kind in (("/", "text/plain"), ("/fhir/r4/metadata", "application/fhir+json")):
        _stale_session(client)
        with mock.patch.object(SessionStore, "save", _raising(lost)):
            response = client.get(path)
        assert response.status_code == 503 and response["Content-Type"].startswith(kind), path


def test_a_session_deleted_meanwhile_is_still_djangos_400(as_user, ada) -> None:
    client = as_user(ada)
    _stale_session(client)
    deleted = DatabaseError("Forced update did not affect any rows.")
    with mock.patch.object(SessionStore, "save", _raising(deleted)):
        response = client.get("/")
    assert response.status_code == 400
