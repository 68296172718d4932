"""The researcher's page (issue #13): consent numbers, and a k-anonymous CSV extract built by
research_extract (audited); 404 for anyone but a researcher or service admin of a service."""

from __future__ import annotations

import csv
import io
import re

from django.urls import reverse

from careloop.accounts.types import Role
from careloop.analytics.research_extract import COLUMNS
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from conftest import make_user, signed_in


def test_a_researcher_sees_consent_numbers_and_downloads_an_extract(service):
    rita = make_user(service, "rita", Role.RESEARCHER)
    client = signed_in(rita)
    page = client.get(reverse("manage:research"))
    assert page.status_code == 200 and b"Patients who agreed" in page.content
    download = client.post(reverse("manage:research"), {"streams": ["questionnaires"], "k": "5"})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert download["Content-Disposition"].startswith('attachment; filename="research-extract-')
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert tuple(rows[0]) == COLUMNS
    event = AuditEvent.objects.get(action=AuditAction.RESEARCH_EXTRACTED)
    assert event.actor == rita and event.detail["k"] == 5


def test_k_below_five_is_refused(service):
    rita = make_user(service, "rita", Role.RESEARCHER)
    page = signed_in(rita).post(reverse("manage:research"), {"streams": ["checkins"], "k": "2"})
    assert page.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.RESEARCH_EXTRACTED).exists()


def test_clinicians_and_patients_get_404(ben, ada):
    for user in (ben, ada):
        assert signed_in(user).get(reverse("manage:research")).status_code == 404
        assert signed_in(user).post(reverse("manage:research"), {"k": "5"}).status_code == 404


def test_the_consent_numbers_count_patients_who_agreed(service, ada, ada_patient):
    from careloop.audit.types import PurposeOfUse
    from careloop.privacy.policy import DataStream
    from careloop.privacy.services import decide, publish_default_documents
    from careloop.privacy.types import Choice

    publish_default_documents(service.id)
    rita = make_user(service, "rita", Role.RESEARCHER)
    before = signed_in(rita).get(reverse("manage:research")).content.decode()
    decide(
        actor=ada,
        patient=ada_patient,
        purpose=PurposeOfUse.HRESCH,
        stream=DataStream.CHECKINS,
        choice=Choice.GIVEN,
    )
    after = signed_in(rita).get(reverse("manage:research")).content.decode()
    row = r"Daily mood check-ins</th><td>{}</td>"
    assert re.search(row.format(0), before) and re.search(row.format(1), after)
    assert re.search(r"Questionnaire scores</th><td>0</td>", after)
