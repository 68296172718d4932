"""Several workers side by side on PostgreSQL: SKIP LOCKED claims, so no alert is dispatched
twice, no message is sent twice, and every stream stays gap-free (skipped on SQLite, where one
worker runs)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from careloop.safety.models import AlertDelivery, EscalationStep, InboxEntry
from careloop.safety.services import deliver_alert_messages, notify_raised_alerts
from careloop.safety.tests.conftest import submit_risk
from careloop.safety.types import DeliveryState

WORKERS = 4
ALERTS = 40


@pytest.fixture
def postgres_only(transactional_db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED concurrency needs PostgreSQL")


def _work(errors: list[BaseException]) -> None:
    try:
        while notify_raised_alerts() or deliver_alert_messages():
            pass
    except BaseException as error:  # report in the main thread
        errors.append(error)
    finally:
        connection.close()


def test_workers_side_by_side_never_do_the_same_work_twice(
    postgres_only, recorded, ada, ada_patient, reachable, ben
) -> None:
    for _ in range(ALERTS):
        submit_risk(ada, ada_patient)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_work, args=(errors,)) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert EscalationStep.objects.filter(number=1).count() == ALERTS
    seqs = sorted(InboxEntry.objects.filter(recipient=ben).values_list("seq", flat=True))
    assert seqs == list(range(1, ALERTS + 1))
    assert AlertDelivery.objects.filter(state=DeliveryState.DELIVERED).count() == ALERTS
    sent = Counter(message.idempotency_key for message in recorded("email").sent)
    assert len(sent) == ALERTS and set(sent.values()) == {1}
