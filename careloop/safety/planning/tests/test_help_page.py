"""#14 item 1, Help first: the public crisis page and the shipped directory behind it.

- the directory: every entry a patient may see is verified, sourced and dated; every country of
  a shipped language is either a block or named as not checked;
- what is shown: the emergency number first (only when verified), the service's confirmed lines,
  then the directory's verified lines, each dated; never an unverified number;
- which country: the visitor's choice (remembered in a cookie) > the patient's (or the only)
  service's > the browser's language region; a chooser that works without JavaScript;
- signed out: 200, no redirect, nothing personal, a cache policy fit for a public page.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings

from careloop.core.models import Service
from careloop.safety.planning.directory import (
    DATA_FILE,
    DirectoryError,
    country_from_accept_language,
    crisis_card,
    entry_sha256,
    load_directory,
    parse_directory,
    spoken_digits,
)
from careloop.safety.planning.selectors import crisis_directory
from careloop.safety.planning.services import confirm_crisis_line, withdraw_crisis_line
from careloop.safety.planning.views import HELP_COUNTRY_COOKIE

PAGE = "/safety/crisis/"
DIRECTORY = load_directory()
SHIPPED = [code for code, _ in settings.LANGUAGES]


def _raw() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _confirm(reviewer, entry_id: str) -> None:
    line = crisis_directory().line(entry_id)
    assert line is not None
    confirm_crisis_line(actor=reviewer, entry_id=entry_id, seen_entry_sha256=line.content_sha256)


# --- the shipped directory ---------------------------------------------------------------------


def test_every_verified_entry_has_a_source_and_a_checked_date_and_unverified_ones_have_none() -> (
    None
):
    for country in DIRECTORY.countries.values():
        emergency = country.emergency
        if emergency.verified:
            assert emergency.source_url and emergency.source_url.startswith("https://")
            assert emergency.checked_on is not None, country.country
        else:
            assert emergency.checked_on is None
        for line in country.lines:
            if line.verified:
                assert line.source_url.startswith(("https://", "http://")), line.id
                assert line.checked_on is not None, line.id
            else:
                assert line.verified_as_of is None, line.id


def test_a_verified_entry_without_a_checked_date_is_refused() -> None:
    raw = _raw()
    del raw["countries"][0]["lines"][0]["verified_as_of"]
    with pytest.raises(DirectoryError, match="verified_as_of"):
        parse_directory(json.dumps(raw).encode())
    raw = _raw()
    raw["countries"][0]["emergency"]["verified_as_of"] = "last week"
    with pytest.raises(DirectoryError, match="verified_as_of"):
        parse_directory(json.dumps(raw).encode())


def test_the_checked_date_is_not_part_of_what_a_safety_lead_confirms() -> None:
    entry = _raw()["countries"][0]["lines"][0]
    assert entry_sha256(entry) == entry_sha256({**entry, "verified_as_of": "2030-01-01"})
    assert entry_sha256(entry) != entry_sha256({**entry, "phone": "000"})


@pytest.mark.parametrize("language", SHIPPED)
def test_every_country_of_a_shipped_language_is_in_the_directory_or_named_as_not_checked(
    language: str,
) -> None:
    countries = DIRECTORY.shipped_language_countries[language]
    assert countries, language
    for code in countries:
        assert DIRECTORY.knows(code), (language, code)


def test_the_reference_countries_for_each_language_are_covered() -> None:
    # Spot checks from the reference: a block where it has one, named as not covered where not.
    assert {"ES", "MX", "AR", "CO"} <= set(DIRECTORY.shipped_language_countries["es"])
    assert {"MA", "EG", "SA", "JO", "AE", "LB"} <= set(DIRECTORY.shipped_language_countries["ar"])
    assert set(DIRECTORY.not_covered) == {"MA", "EG", "SA", "JO"}
    assert not set(DIRECTORY.no_entry) & set(DIRECTORY.countries)


# --- what is shown (pure) ----------------------------------------------------------------------


def test_unverified_lines_and_numbers_never_appear_even_from_the_directory() -> None:
    for code in DIRECTORY.countries:
        every = frozenset(
            (line.id, line.content_sha256) for line in DIRECTORY.countries[code].lines
        )
        card = crisis_card(
            DIRECTORY, country=code, language="en", confirmed=every, include_directory_lines=True
        )
        shown = card.lines + card.other_language_lines + card.directory_lines
        assert all(line.verified for line in shown), code
        assert card.emergency is None or card.emergency.verified


def test_directory_lines_follow_the_services_and_are_not_repeated() -> None:
    confirmed = {
        ("gb-nhs-111-mental-health", DIRECTORY.line("gb-nhs-111-mental-health").content_sha256)
    }
    card = crisis_card(
        DIRECTORY, country="GB", language="en", confirmed=confirmed, include_directory_lines=True
    )
    assert [line.id for line in card.lines] == ["gb-nhs-111-mental-health"]
    assert [line.id for line in card.directory_lines] == ["gb-samaritans"]
    withdrawn = crisis_card(
        DIRECTORY,
        country="GB",
        language="en",
        confirmed=(),
        include_directory_lines=True,
        withdrawn={"gb-samaritans"},
    )
    assert [line.id for line in withdrawn.directory_lines] == ["gb-nhs-111-mental-health"]


def test_the_api_card_is_unchanged_without_directory_lines() -> None:
    card = crisis_card(DIRECTORY, country="GB", language="en", confirmed=())
    assert card.directory_lines == () and card.awaiting_review


def test_lines_in_the_readers_language_come_first() -> None:
    card = crisis_card(
        DIRECTORY, country="BE", language="fr", confirmed=(), include_directory_lines=True
    )
    assert [line.id for line in card.directory_lines] == ["be-cps-ligne-de-crise"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "MX"),
        ("fr-CA", "CA"),
        ("pt-BR;q=0.5, de-DE;q=0.9", "DE"),  # the higher weight wins
        ("es-419,es;q=0.9", None),  # a UN region, not a country
        ("en", None),
        ("zh-Hant-TW, en-GB;q=0.7", "GB"),  # TW is not a country the page knows
        ("", None),
        ("xx-;;q=abc,,", None),
        ("de-AT;q=0", None),  # q=0 means "not this one"
    ],
)
def test_the_browser_language_region_names_the_country(header: str, expected: str | None) -> None:
    assert country_from_accept_language(header, DIRECTORY.country_names()) == expected


def test_numbers_are_read_out_digit_by_digit() -> None:
    assert spoken_digits("116123") == "1 1 6 1 2 3"
    assert spoken_digits("+254722178177").startswith("+ 2 5 4")


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def two_services(service) -> Service:
    """A second service, so the deployment has no single service to fall back on."""
    return Service.objects.create(slug="second", name="Second service", country_code="FR")


def test_signed_out_visitors_get_the_page_not_a_sign_in(client, service) -> None:
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Get help now</h1>" in html
    assert 'href="tel:999"' in html  # the only service is in GB
    assert "My safety plan" not in html and "Sign in</a> to see it" in html
    assert response["Cache-Control"] == "private, no-cache"
    assert "Cookie" in response["Vary"] and "Accept-Language" in response["Vary"]


def test_signed_out_with_no_service_uses_the_browser_region(client, db) -> None:
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").content.decode()
    assert "Help for United States." in html
    assert html.index('href="tel:911"') < html.index('href="tel:988"')
    assert 'href="sms:988"' in html  # the 988 Lifeline takes texts
    assert "Checked on 25 November 2026." in html


def test_a_single_service_deployment_shows_its_confirmed_lines_to_anyone(
    client, service, sam
) -> None:
    _confirm(sam, "gb-nhs-111-mental-health")
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    # The service's country beats the browser's region (en-US browsers are common in the UK).
    assert "Help for United Kingdom." in html
    order = [
        html.index('href="tel:999"'),
        html.index("Checked by your care service"),
        html.index('href="tel:111"'),
        html.index("More helplines"),
        html.index('href="tel:116123"'),
    ]
    assert order == sorted(order)


def test_with_several_services_a_visitor_sees_no_services_lines(
    client, service, two_services, sam
) -> None:
    _confirm(sam, "gb-nhs-111-mental-health")
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Help for United Kingdom." in html
    assert "Checked by your care service" not in html
    assert 'href="tel:111"' in html  # still there, as a dated directory line


def test_a_signed_in_patient_sees_their_services_country(
    as_user, ada, ada_patient, service
) -> None:
    service.country_code = "CA"
    service.save()
    html = as_user(ada).get(PAGE, HTTP_ACCEPT_LANGUAGE="es-MX").content.decode()
    # Spanish page (the browser's language), Canada's lines (the service's country, not Mexico).
    assert "Canada." in html and 'href="tel:911"' in html
    assert "Mi plan de seguridad" in html


def test_choosing_a_country_shows_it_and_remembers_it_in_a_cookie(client, db) -> None:
    response = client.get(PAGE, {"country": "fr"}, HTTP_ACCEPT_LANGUAGE="en-US")
    html = response.content.decode()
    assert "Help for France." in html and 'href="tel:3114"' in html
    # France's 112 comes only from a secondary source: plain words, no number.
    assert "We do not have a checked emergency number for France." in html
    assert "tel:112" not in html
    cookie = response.cookies[HELP_COUNTRY_COOKIE]
    assert cookie.value == "FR" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 300 * 24 * 3600
    # Next visit, no query: the cookie wins over the browser's region.
    again = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "Help for France." in again


def test_the_cookie_also_wins_for_a_signed_in_patient(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    client.cookies[HELP_COUNTRY_COOKIE] = "AU"
    html = client.get(PAGE).content.decode()
    assert "Help for Australia." in html and 'href="tel:000"' in html
    assert "Checked by your care service" not in html  # the GB service's lines are not for AU


def test_an_unknown_country_is_ignored_not_stored(client, db) -> None:
    response = client.get(PAGE, {"country": "ZZ"}, HTTP_ACCEPT_LANGUAGE="de-DE")
    assert HELP_COUNTRY_COOKIE not in response.cookies
    assert "Hilfe für Germany." in response.content.decode()  # the page speaks German too


def test_a_country_we_know_nothing_checked_about_says_so_plainly(client, db) -> None:
    html = client.get(PAGE, {"country": "AT"}).content.decode()
    assert "Help for Austria." in html
    assert "We do not have a checked emergency number for Austria." in html
    assert "We do not have a checked helpline for Austria yet." in html
    assert "call your local emergency number" in html.lower()
    assert "tel:" not in html


def test_a_country_whose_lines_are_all_unverified_shows_no_number(client, db) -> None:
    html = client.get(PAGE, {"country": "ES"}).content.decode()
    assert "We do not have a checked helpline for Spain yet." in html
    assert "tel:" not in html  # 024 and 112 are UNVERIFIED in the reference


def test_no_country_known_asks_for_one_and_still_gives_the_advice(client, db) -> None:
    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Choose your country below" in html
    assert "call your local emergency number" in html.lower()
    assert '<option value="" selected' not in html and '<option value="">' in html


def test_the_chooser_is_a_plain_get_form_with_a_label(client, db) -> None:
    html = client.get(PAGE, {"country": "GB"}).content.decode()
    form = re.search(r'<form class="country-chooser".*?</form>', html, re.S)
    assert form is not None
    assert 'method="get"' in form.group(0) and 'action="/safety/crisis/"' in form.group(0)
    assert '<label for="help-country">' in form.group(0)
    assert '<option value="GB" lang="en" selected>United Kingdom</option>' in form.group(0)


def test_call_links_say_the_number_digit_by_digit(client, db) -> None:
    html = client.get(PAGE, {"country": "GB"}).content.decode()
    assert 'aria-label="Call Samaritans, 1 1 6 1 2 3"' in html
    assert 'aria-label="Call the emergency number, 9 9 9"' in html


def test_a_withdrawn_line_is_not_shown_to_the_services_patients(
    as_user, ada, ada_patient, cleo
) -> None:
    _confirm(cleo, "gb-samaritans")
    withdraw_crisis_line(actor=cleo, entry_id="gb-samaritans")
    html = as_user(ada).get(PAGE).content.decode()
    assert "tel:116123" not in html and 'href="tel:111"' in html


def test_staff_get_the_public_page_without_a_plan(as_user, ben) -> None:
    response = as_user(ben).get(PAGE)
    assert response.status_code == 200
    assert "My safety plan" not in response.content.decode()
    assert response["Cache-Control"] == "no-store"  # signed in: core.cache_control
