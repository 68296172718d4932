"""The demo as every persona sees it: seed it as `make run` does, sign in as each demo login, follow
every same-origin link from the home page and hold each page to the house rules (no server error,
no broken link the app itself shows, strict CSP, one <main>, labelled fields, no raw "None"). Then
walk the key forms as a person would: Ada's PHQ-9 with item 9 = 2, journal, message and consent;
Ben acknowledging the alert that PHQ-9 raised."""

from __future__ import annotations

import io
import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.views import defaults as views_defaults

from careloop.accounts.models import User
from careloop.fhir.smart.clients import register_client
from careloop.fhir.types import ClientKind
from conftest import signed_in

MAX_PAGES = 150
HOST = "testserver"
# Not HTML pages, or pages that change state when fetched: never crawled.
SKIPPED_PREFIXES = ("/accounts/logout/", "/api/", "/fhir/r4/", "/o/", "/static/", "/healthz")
SKIPPED_SUFFIXES = (".json", ".js", ".ndjson", ".csv", ".css")
FIELD_TAGS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
RAW_TEMPLATE = re.compile(r"\{\{|\{%|TemplateSyntaxError|VariableDoesNotExist|Traceback")
NONE_PLACEHOLDER = re.compile(r">\s*None\s*<")
# The fewest pages each demo login must reach: a shrinking crawl means lost links, not a pass.
# Rae (researcher) has no patient pages by design: research extracts are a command, not a page.
MIN_PAGES = {"ada": 12, "ben": 40, "sam": 40, "dana": 40, "cleo": 3, "rae": 1}
PERSONAS = tuple(MIN_PAGES)


@dataclass
class FormField:
    tag: str
    type: str
    name: str
    value: str
    checked: bool


@dataclass
class Form:
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)


class PageParser(HTMLParser):
    """Everything the checks need from one page, in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.html_lang = False
        self.mains = 0
        self.title = ""
        self.problems: list[str] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.fields: list[tuple[str, dict[str, str], bool]] = []  # tag, attrs, inside a <label>
        self.forms: list[Form] = []
        self._in_title = False
        self._in_script = False
        self._script_text = ""
        self._label_depth = 0
        self._select: FormField | None = None
        self._select_has_option = False

    def handle_starttag(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in raw}
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if "style" in attrs:
            self.problems.append(f"inline style= on <{tag}>")
        self.problems += [f"inline handler {k}= on <{tag}>" for k in attrs if k.startswith("on")]
        self._document_tag(tag, attrs)
        self._form_tag(tag, attrs)

    def _document_tag(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "html":
            self.html_lang = bool(attrs.get("lang"))
        elif tag == "main":
            self.mains += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "script":
            self._in_script, self._script_text = "src" not in attrs, ""
        elif tag == "style":
            self.problems.append("inline <style> element")
        elif tag == "a" and "href" in attrs and "download" not in attrs:
            self.links.append(attrs["href"])
        elif tag == "img" and "alt" not in attrs:
            self.problems.append(f"<img src={attrs.get('src')!r}> without alt")

    def _form_tag(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag == "form":
            self.forms.append(Form(attrs.get("action", ""), attrs.get("method", "get").lower()))
        elif tag in FIELD_TAGS:
            self.fields.append((tag, attrs, self._label_depth > 0))
            self._collect_field(tag, attrs)
        elif tag == "option" and self._select is not None:
            if "selected" in attrs or not self._select_has_option:
                self._select.value = attrs.get("value", "")
            self._select_has_option = True
        elif tag == "button" and self.forms and attrs.get("name"):
            self.forms[-1].fields.append(
                FormField("button", "submit", attrs["name"], attrs.get("value", ""), False)
            )

    def _collect_field(self, tag: str, attrs: dict[str, str]) -> None:
        if not self.forms or "name" not in attrs:
            return
        kind = attrs.get("type", "text").lower() if tag == "input" else tag
        form_field = FormField(tag, kind, attrs["name"], attrs.get("value", ""), "checked" in attrs)
        self.forms[-1].fields.append(form_field)
        if tag == "select":
            self._select, self._select_has_option = form_field, False

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "script":
            if self._in_script and self._script_text.strip():
                self.problems.append("inline <script> body")
            self._in_script = False
        elif tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._in_script:
            self._script_text += data

    def unlabelled_fields(self) -> list[str]:
        missing = []
        for tag, attrs, wrapped in self.fields:
            if tag == "input" and attrs.get("type", "text").lower() in UNLABELLED_INPUT_TYPES:
                continue
            if attrs.get("aria-label") or attrs.get("aria-labelledby") or wrapped:
                continue
            if attrs.get("id") and attrs["id"] in self.label_for:
                continue
            missing.append(f"<{tag} name={attrs.get('name')!r} id={attrs.get('id')!r}>")
        return missing


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def page_problems(response: Any, html: str) -> list[str]:
    """The house rules every HTML page keeps."""
    problems: list[str] = []
    if not response["Content-Type"].startswith("text/html"):
        return [f"Content-Type {response['Content-Type']}"]
    if response.get("Content-Disposition", "").startswith("attachment"):
        return []  # a file to download (a report), not a page of the app
    csp = response.get("Content-Security-Policy", "")
    if not csp:
        problems.append("no Content-Security-Policy header")
    elif "'unsafe-inline'" in csp or "'unsafe-eval'" in csp:
        problems.append(f"weak CSP: {csp}")
    page = parse(html)
    problems += page.problems
    if not page.html_lang:
        problems.append("<html> without lang")
    if page.mains != 1:
        problems.append(f"{page.mains} <main> elements")
    if not page.title.strip() or page.title.strip().startswith("·"):
        problems.append(f"empty or partial <title>: {page.title!r}")
    problems += [f"unlabelled field {f}" for f in page.unlabelled_fields()]
    duplicated = {i for i in page.ids if page.ids.count(i) > 1}
    problems += [f"duplicate id {i!r}" for i in sorted(duplicated)]
    dangling = page.label_for - set(page.ids)
    problems += [f"<label for={i!r}> points at nothing" for i in sorted(dangling)]
    if NONE_PLACEHOLDER.search(html):
        problems.append("'None' shown where text belongs")
    if match := RAW_TEMPLATE.search(html):
        problems.append(f"raw template text {match.group(0)!r}")
    return problems


def crawlable(url: str) -> str | None:
    """The path (with query) of a same-origin link worth crawling, else None."""
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", HOST):
        return None
    if not parts.path or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    if parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    pages: dict[str, list[str]] = field(default_factory=dict)  # path → its problems
    broken: dict[str, tuple[int, str]] = field(default_factory=dict)  # path → (status, linked from)
    redirects: dict[str, str] = field(default_factory=dict)

    def report(self, username: str) -> str:
        lines = [f"{username}: {len(self.pages)} pages", *(f"    {p}" for p in self.pages)]
        lines += [
            f"  {status} {path} (linked from {src})" for path, (status, src) in self.broken.items()
        ]
        lines += [f"  {path}: {'; '.join(p)}" for path, p in self.pages.items() if p]
        return "\n".join(lines)


def crawl(client: Client, start: str = "/") -> Crawl:
    """Breadth-first over every same-origin link, following redirects as links."""
    result = Crawl()
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen = {start}
    while queue and len(result.pages) < MAX_PAGES:
        path, source = queue.popleft()
        response = client.get(path)
        targets: list[str] = []
        if response.status_code in (301, 302, 303, 307, 308):
            result.redirects[path] = response["Location"]
            targets = [response["Location"]]
        elif response.status_code != 200:
            result.broken[path] = (response.status_code, source)
            continue
        else:
            html = response.content.decode()
            result.pages[path] = page_problems(response, html)
            targets = parse(html).links
        for target in targets:
            link = crawlable(urljoin(f"http://{HOST}{path}", target))
            if link is not None and link not in seen:
                seen.add(link)
                queue.append((link, path))
    return result


@pytest.fixture
def demo(db: None) -> dict[str, User]:
    call_command("seed", demo=True, stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PERSONAS)}


# Slow: each seeds the demo and fetches up to MAX_PAGES pages (staff reach about a hundred).
@pytest.mark.slow
@pytest.mark.parametrize("username", PERSONAS)
def test_every_page_a_demo_login_can_reach_keeps_the_house_rules(
    demo: dict[str, User], username: str
) -> None:
    result = crawl(signed_in(demo[username]))
    print(result.report(username))  # the per-persona figures in `pytest -s`
    assert not result.broken, result.report(username)
    assert not any(result.pages.values()), result.report(username)
    assert len(result.pages) >= MIN_PAGES[username], result.report(username)
    ada_id = str(demo["ada"].patient_record.id)
    ada_pages = [path for path in result.pages if ada_id in path]
    if username in ("ben", "sam"):
        assert f"/patients/{ada_id}/" in ada_pages
    elif username in ("dana", "cleo", "rae"):
        # The service admin runs the service: Ada's profile page under /manage/ (name, team,
        # login, discharge; no scores, notes or alerts), never her clinical record.
        allowed = [f"/manage/patients/{ada_id}/"] if username == "cleo" else []
        assert [p for p in ada_pages if p not in allowed] == [], "an outsider reached her record"
        if allowed:
            profile = signed_in(demo[username]).get(allowed[0]).content.decode()
            assert "PHQ-9" not in profile and "/alerts/" not in profile
        assert signed_in(demo[username]).get(f"/patients/{ada_id}/").status_code == 404


def submit(client: Client, page: str, action: str, **values: str) -> Any:
    """Fill in the form on `page` whose action contains `action` (empty: the form posting back to
    the page) as a browser would send it (its hidden fields, defaults and CSRF token) with `values`
    on top, and follow where it leads."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    forms = [
        f
        for f in parse(response.content.decode()).forms
        if (action in f.action if action else f.action in ("", page))
    ]
    assert len(forms) >= 1, f"no form posting to {action!r} on {page}"
    form = forms[0]
    data: dict[str, str] = {}
    for f in form.fields:
        if f.type in ("radio", "checkbox") and not f.checked:
            continue
        if f.type in ("submit", "button") and f.name not in values:
            continue
        data.setdefault(f.name, f.value)
    data.update(values)
    assert form.method == "post", form
    return client.post(urljoin(page, form.action or page), data, follow=True)


def csrf_checked(user: User) -> Client:
    client = signed_in(user)
    client.handler.enforce_csrf_checks = True  # forms must carry their token, as in a browser
    return client


@pytest.mark.slow  # seeds the demo, then walks each form as a browser would
def test_key_forms_work_end_to_end_as_the_demo_patient_and_her_clinician(
    demo: dict[str, User],
) -> None:
    ada = csrf_checked(demo["ada"])
    phq9 = parse(ada.get("/questionnaires/phq9/").content.decode()).forms[-1]
    # Items 1-9 are scored; item 9 asks about thoughts of self-harm (10 asks about difficulty).
    items = {f"item-{n}": "0" for n in range(1, 10)} | {"item-9": "2"}
    assert set(items) <= {f.name for f in phq9.fields if f.type == "radio"}
    result = submit(ada, "/questionnaires/phq9/", "", **items)
    assert result.status_code == 200
    assert result.redirect_chain and "/questionnaires/results/" in result.redirect_chain[-1][0]
    html = result.content.decode()
    assert "You are not alone" in html and 'href="/safety/crisis/"' in html
    assert not page_problems(result, html)

    journal = submit(ada, "/journal/", "/journal/entries/", body="A calm walk by the river.")
    assert "A calm walk by the river." in journal.content.decode()
    sent = submit(ada, "/messages/", "", body="Could we move Thursday's call?")
    assert "Could we move Thursday&#x27;s call?" in sent.content.decode()

    privacy = parse(ada.get("/me/privacy/").content.decode()).forms
    switch_off = next(f for f in privacy if any(x.value == "withdrawn" for x in f.fields))
    fields = {x.name: x.value for x in switch_off.fields if x.name != "choice"}
    withdrawn = ada.post("/me/privacy/decide/", {**fields, "choice": "withdrawn"}, follow=True)
    assert withdrawn.status_code == 200 and "CR-" in withdrawn.content.decode()
    again = ada.post("/me/privacy/decide/", {**fields, "choice": "given"}, follow=True)
    assert again.status_code == 200
    assert again.content.decode().count("Switched off") >= 1

    export = ada.get("/me/data/export.json")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/")
    bundle = json.loads(export.getvalue())
    assert bundle["resourceType"] == "Bundle"

    ben = csrf_checked(demo["ben"])
    alert_links = [
        a for a in parse(ben.get("/alerts/").content.decode()).links if a.startswith("/alerts/0")
    ]
    assert alert_links, "Ada's PHQ-9 alert is not listed for Ben"
    acknowledged = submit(ben, alert_links[0], "/acknowledge")
    assert acknowledged.status_code == 200
    assert "Acknowledged" in acknowledged.content.decode()

    # With an alert, a result, entries and messages in place, every page again keeps the rules.
    for username, client in (("ada", ada), ("ben", ben)):
        result_pages = crawl(client)
        assert not result_pages.broken, result_pages.report(username)
        assert not any(result_pages.pages.values()), result_pages.report(username)


class _FakeResponse(dict[str, str]):
    pass


def test_the_page_rules_catch_what_they_are_meant_to_catch() -> None:
    response = _FakeResponse(
        {"Content-Type": "text/html", "Content-Security-Policy": "script-src 'unsafe-inline'"}
    )
    bad = (
        "<html><head><title> · Careloop</title><style>p{}</style></head><body><main></main><main>"
        '<p style="color:red" onclick="x()">None</p><script>alert(1)</script><img src="a.png">'
        '<label for="gone">Gone</label><input name="q" id="q"><select name="s"></select>'
        '<label>Wrapped <textarea name="t"></textarea></label><input type="hidden" name="h">'
        '<span id="d"></span><span id="d"></span><p>{{ oops }}</p></main></body></html>'
    )
    problems = "\n".join(page_problems(response, bad))
    for expected in (
        "weak CSP",
        "inline <style>",
        "2 <main>",
        "<html> without lang",
        "partial <title>",
        "inline style= on <p>",
        "inline handler onclick=",
        "inline <script> body",
        "without alt",
        "<label for='gone'> points at nothing",
        "unlabelled field <input name='q'",
        "unlabelled field <select name='s'",
        "duplicate id 'd'",
        "'None' shown",
        "raw template text",
    ):
        assert expected in problems, (expected, problems)
    assert "name='t'" not in problems and "name='h'" not in problems
    good = '<html lang="en"><title>Home · Careloop</title><main><p>Hello</p></main></html>'
    response["Content-Security-Policy"] = "default-src 'self'"
    assert page_problems(response, good) == []
    assert crawlable("/me/data/export.json") is None
    assert crawlable("https://example.org/") is None
    assert crawlable("/accounts/logout/") is None
    assert crawlable("http://testserver/journal/?before=x#top") == "/journal/?before=x"


def test_pages_outside_the_link_graph_keep_the_house_rules(demo: dict[str, User]) -> None:
    """Sign-in, the MFA step, the SMART consent page and the error pages: nobody links to them,
    everybody sees them."""
    anonymous = crawl(Client())
    assert "/accounts/login/?next=/" in anonymous.pages, anonymous.report("anonymous")
    before_mfa = crawl(signed_in(demo["ben"], mfa_verified=False))
    assert "/accounts/verify/" in before_mfa.pages, before_mfa.report("ben before MFA")
    for result in (anonymous, before_mfa):
        assert not result.broken and not any(result.pages.values()), result.report("")

    ada_id = demo["ada"].patient_record.id
    service = demo["ada"].service
    assert service is not None
    app = register_client(
        service=service,
        name="Diary app",
        kind=ClientKind.PUBLIC_PKCE,
        redirect_uris=["http://127.0.0.1:8765/callback"],
    )
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": "http://127.0.0.1:8765/callback",
        "scope": "launch/patient patient/Observation.read",
        "state": "s",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    }
    pages = {
        "SMART consent": signed_in(demo["ada"]).get("/o/authorize/", query),
        "404 for an outsider": signed_in(demo["dana"]).get(f"/patients/{ada_id}/"),
        "404 for a patient": signed_in(demo["ada"]).get("/no-such-page/"),
        "CSRF failure": Client(enforce_csrf_checks=True).post("/accounts/login/", {}),
    }
    expected_status = {"SMART consent": 200, "CSRF failure": 403}
    for name, response in pages.items():
        assert response.status_code == expected_status.get(name, 404), name
        html = response.content.decode()
        assert page_problems(response, html) == [], (name, page_problems(response, html))
        assert 'href="/"' in html, f"{name}: no way back home"

    server_error = views_defaults.server_error(RequestFactory().get("/"))
    strict = _FakeResponse(
        {"Content-Type": "text/html", "Content-Security-Policy": "default-src 'self'"}
    )
    html = server_error.content.decode()
    assert server_error.status_code == 500 and page_problems(strict, html) == []
    assert "emergency" in html


def test_the_demo_registry_flags_only_what_a_clinician_should_act_on(
    demo: dict[str, User],
) -> None:
    """Synthetic patients are asked for questionnaires only (the generator makes no check-ins),
    and the discharged are not chased: no row is flagged for weeks of check-ins never asked."""
    from careloop.monitoring.selectors import caseload_rows

    rows = caseload_rows(demo["ben"])
    assert rows
    synthetic = [row for row in rows if row.patient.user_id is None]
    assert synthetic and not [r for r in synthetic if r.missed_measure == "Mood check-in"]
    assert all(row.missed_in_a_row == 0 for row in rows if not row.in_care)
