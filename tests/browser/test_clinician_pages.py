"""Every clinician-facing page passes axe-core at WCAG 2.2 AA at 1280 px and at 375 px wide, and
reflows at 320 CSS px without sideways scrolling, in plain words (#13 acceptance, item 7).

Each page is opened by the role that uses it (care manager, supervisor, service admin,
researcher), signed in through the real password and one-time-code forms, on a small service with
data behind every page: an alert, a review item, messages both ways, a safety plan, a shared
journal entry and an open emergency access. Pages of the clinician workspace's newer sections
(/care/, /supervision/, /service/, /manage/) are found from their URL modules, so a page added
there is checked without editing this file. A screenshot of each page at each width is kept in
var/ci-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.browser.support import (
    DESKTOP,
    NARROWEST,
    PHONE,
    check_axe,
    check_reflow,
    sign_in,
)

# Plain words (#13 item 7): staff read names, not codes. A versioned instrument code
# ("phq9@1.0.0") or a raw stored value ("risk_not_assessed", "service_admin") on a page is a
# label that was never translated into words.
CODE_WORDS = re.compile(r"\b[a-z][a-z0-9]*@\d+(?:\.\d+)+\b|\b[a-z]+(?:_[a-z]+)+\b")

# Who opens the pages of each newer section (its URL namespace).
SECTION_ROLES = {"care": "ben", "supervision": "sam", "analytics": "cleo", "manage": "cleo"}


@dataclass
class Workspace:
    users: dict[str, Any]
    ids: dict[str, str]


@dataclass(frozen=True)
class PageCase:
    name: str
    who: str  # a key of Workspace.users
    url_name: str
    args: tuple[str, ...] = ()  # keys of Workspace.ids, in the URL's order
    query: str = ""

    def path(self, ids: dict[str, str]) -> str:
        return reverse(self.url_name, args=[ids[a] for a in self.args]) + self.query


PAGES = [
    # Care manager (clinician).
    PageCase("caseload", "ben", "monitoring:caseload"),
    PageCase("patient", "ben", "monitoring:patient", ("patient",)),
    PageCase("alerts", "ben", "safety:alert-list"),
    PageCase("alert-detail", "ben", "safety:alert-detail", ("alert",)),
    PageCase("raise-alert", "ben", "safety:alert-raise"),
    PageCase("review-queue", "ben", "safety:review-queue"),
    PageCase("messages", "ben", "messaging:mine"),
    PageCase("message-thread", "ben", "messaging:thread", ("patient",)),
    PageCase("shared-journal", "ben", "journal:shared", ("patient",)),
    PageCase("safety-plan", "ben", "safety_planning:plan", ("patient",)),
    PageCase("safety-plan-edit", "ben", "safety_planning:plan-edit", ("patient",)),
    PageCase("safety-plan-history", "ben", "safety_planning:plan-history", ("patient",)),
    PageCase("safety-plan-version", "ben", "safety_planning:plan-version", ("patient", "one")),
    PageCase("emergency-access", "ben", "rights:break-glass"),
    # An outsider clinician with emergency access open (the banner on every page).
    PageCase("emergency-access-open", "dana", "rights:break-glass"),
    PageCase("emergency-patient", "dana", "monitoring:patient", ("patient",)),
    # Supervisor.
    PageCase("supervisor-caseload", "sam", "monitoring:caseload"),
    PageCase("supervisor-alerts", "sam", "safety:alert-list"),
    PageCase("crisis-lines-review", "sam", "safety_planning:review"),
    PageCase("emergency-access-review", "sam", "rights:break-glass-review"),
    PageCase("supervision-patient", "sam", "supervision:patient", ("patient",)),
    PageCase("supervisor-service-dashboard", "sam", "analytics:dashboard"),
    # Service admin and researcher.
    PageCase("security-events", "cleo", "accounts:security-events"),
    PageCase("admin-crisis-lines-review", "cleo", "safety_planning:review"),
    PageCase("admin-emergency-access-review", "cleo", "rights:break-glass-review"),
    PageCase("admin-home", "cleo", "home"),
    PageCase("manage-patient", "cleo", "manage:patient", ("patient",)),
    PageCase("manage-team", "cleo", "manage:team", ("team",)),
    PageCase("manage-team-escalation", "cleo", "manage:team-escalation", ("team",)),
    PageCase("researcher-home", "rae", "home"),
    PageCase("researcher-research", "rae", "manage:research"),
]


def _section_pages() -> list[PageCase]:
    """The pages without path parameters in the newer sections' URL modules."""
    found: list[PageCase] = []
    for entry in get_resolver().url_patterns:
        if not isinstance(entry, URLResolver) or entry.namespace not in SECTION_ROLES:
            continue
        for pattern in entry.url_patterns:
            if not isinstance(pattern, URLPattern) or pattern.pattern.regex.groups:
                continue
            if not pattern.name or str(pattern.pattern).endswith((".csv", ".json", ".svg")):
                continue
            found.append(
                PageCase(
                    f"{entry.namespace}-{pattern.name}",
                    SECTION_ROLES[entry.namespace],
                    f"{entry.namespace}:{pattern.name}",
                )
            )
    return found


ALL_PAGES = PAGES + _section_pages()


@pytest.fixture
def workspace(service, north, south, ada, ada_patient, ben, sam, dana, cleo) -> Workspace:
    """A small service with something behind every clinician page."""
    from careloop.accounts.types import Role
    from careloop.privacy import breakglass
    from careloop.safety.models import Alert
    from careloop.safety.services.review import request_review
    from careloop.safety.types import ReviewKind
    from conftest import fill_patient_record, make_user

    rae = make_user(service, "rae", Role.RESEARCHER)
    fill_patient_record(ada_patient, ada, ben)
    with transaction.atomic():
        request_review(
            patient=ada_patient,
            kind=ReviewKind.RISK_NOT_ASSESSED,
            reason="Imported PHQ-9 total 22 (severe); the risk question was not answered.",
            evidence={"total": 22},
            source_ref=f"assessment:{uuid.uuid4()}",
        )
    breakglass.start(actor=dana, patient=ada_patient, reason="Crisis call out of hours; team away")
    alert = Alert.objects.filter(patient=ada_patient).first()
    assert alert is not None, "the PHQ-9 with item 9 answered should have raised an alert"
    return Workspace(
        users={"ben": ben, "sam": sam, "dana": dana, "cleo": cleo, "rae": rae},
        ids={
            "patient": str(ada_patient.id),
            "alert": str(alert.id),
            "team": str(north.id),
            "one": "1",
        },
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", ALL_PAGES, ids=[c.name for c in ALL_PAGES])
def test_page_passes_axe_at_desktop_and_phone_width_and_reflows_at_320(
    live_server, page, workspace, case
) -> None:
    try:
        path = case.path(workspace.ids)
    except NoReverseMatch:
        pytest.skip(f"{case.url_name} is not in the URL configuration (yet)")
    sign_in(page, live_server.url, workspace.users[case.who])
    response = page.goto(live_server.url + path)
    assert response is not None
    assert response.status == 200, f"{case.name}: HTTP {response.status} at {page.url}"
    problems: list[str] = []
    for width, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page.set_viewport_size(width)
        try:
            check_axe(page, f"{case.name}-{label}")
        except AssertionError as failure:
            problems.append(str(failure))
    page.set_viewport_size(NARROWEST)
    try:
        check_reflow(page, f"{case.name}-320")
    except AssertionError as failure:
        problems.append(str(failure))
    codes = sorted(set(CODE_WORDS.findall(page.inner_text("main"))))
    if codes:
        problems.append(f"{case.name}: codes instead of plain words on the page: {codes}")
    assert not problems, "\n\n".join(problems)
