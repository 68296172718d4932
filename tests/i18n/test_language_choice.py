"""Languages (#14 item 3): the shipped list, the picker, and which language a page is in
(explicit choice > a patient's saved preference > the browser > English)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.safety.text.rules import SUPPORTED_LANGUAGES

SHIPPED = ("en", "es", "fr", "pt", "ar", "de")


def test_settings_ship_the_six_languages() -> None:
    assert tuple(code for code, _ in settings.LANGUAGES) == SHIPPED


def test_crisis_text_screening_covers_every_shipped_language_and_no_other() -> None:
    assert set(SUPPORTED_LANGUAGES) == {code for code, _ in settings.LANGUAGES}


def _lang_and_dir(html: str) -> tuple[str, str]:
    import re

    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', html)
    assert match, "no <html lang dir>"
    return match.group(1), match.group(2)


@pytest.mark.django_db
def test_browser_language_is_used_when_nothing_else_says() -> None:
    response = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert _lang_and_dir(response.content.decode()) == ("es", "ltr")
    assert response["Content-Language"] == "es"


@pytest.mark.django_db
def test_unshipped_browser_language_falls_back_to_english() -> None:
    response = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="ja")
    assert _lang_and_dir(response.content.decode()) == ("en", "ltr")


@pytest.mark.django_db
def test_picker_is_on_every_page_with_each_language_named_in_itself() -> None:
    html = Client().get(reverse("accounts:login")).content.decode()
    assert 'action="/language"' in html
    assert '<label for="language-picker-select">' in html
    for code, name in [
        ("en", "English"),
        ("es", "Español"),
        ("fr", "Français"),
        ("pt", "Português"),
        ("ar", "العربيّة"),
        ("de", "Deutsch"),
    ]:
        assert f'value="{code}" lang="{code}"' in html
        assert f">{name}</option>" in html


@pytest.mark.django_db
def test_choosing_arabic_gives_a_right_to_left_arabic_page() -> None:
    client = Client()
    response = client.post(
        reverse("set-language"), {"language": "ar", "next": reverse("accounts:login")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ar" and cookie["httponly"] and cookie["samesite"] == "Lax"
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert _lang_and_dir(page.content.decode()) == ("ar", "rtl")


@pytest.mark.django_db
def test_an_unknown_language_is_ignored() -> None:
    client = Client()
    response = client.post(reverse("set-language"), {"language": "xx", "next": "/"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_an_offsite_next_is_not_followed() -> None:
    response = Client().post(
        reverse("set-language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert "evil" not in response.get("Location", "")


@pytest.mark.django_db
def test_a_patients_choice_is_saved_audited_and_used_at_the_next_sign_in(ada, as_user) -> None:
    client = as_user(ada)
    client.post(reverse("set-language"), {"language": "ar", "next": "/"})
    ada.patient_record.refresh_from_db()
    assert ada.patient_record.preferred_language == "ar"
    event = AuditEvent.objects.get(action=AuditAction.CONTACT_DETAILS_UPDATED)
    assert event.detail == {"changed": ["language"]}

    elsewhere = as_user(ada)  # another device: no language cookie, an English browser
    page = elsewhere.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-GB,en")
    assert _lang_and_dir(page.content.decode()) == ("ar", "rtl")


@pytest.mark.django_db
def test_an_explicit_choice_beats_the_saved_preference(ada, as_user) -> None:
    patient = ada.patient_record
    patient.preferred_language = "de"
    patient.save(update_fields=["preferred_language"])
    client = as_user(ada)
    assert _lang_and_dir(client.get(reverse("home")).content.decode())[0] == "de"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert _lang_and_dir(client.get(reverse("home")).content.decode())[0] == "fr"


@pytest.mark.django_db
def test_a_saved_regional_tag_uses_its_shipped_language_and_an_unshipped_one_the_browser(
    ada, as_user
) -> None:
    patient = ada.patient_record
    patient.preferred_language = "pt-BR"
    patient.save(update_fields=["preferred_language"])
    assert _lang_and_dir(as_user(ada).get(reverse("home")).content.decode())[0] == "pt"
    patient.preferred_language = "so"
    patient.save(update_fields=["preferred_language"])
    page = as_user(ada).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es")
    assert _lang_and_dir(page.content.decode())[0] == "es"


@pytest.mark.django_db
def test_staff_choice_is_not_written_to_any_patient(ben, ada, as_user) -> None:
    client = as_user(ben)
    client.post(reverse("set-language"), {"language": "es", "next": "/"})
    ada.patient_record.refresh_from_db()
    assert ada.patient_record.preferred_language == ""  # not chosen: follows the browser
    assert not AuditEvent.objects.filter(action=AuditAction.CONTACT_DETAILS_UPDATED).exists()


@pytest.mark.django_db
def test_a_signed_in_choice_needs_the_csrf_token_and_a_signed_out_one_does_not(ada) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set-language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert (
        "csrfmiddlewaretoken"
        not in strict.get(reverse("accounts:login"))
        .content.decode()
        .split('class="language-picker"')[1]
        .split("</form>")[0]
    )

    strict.force_login(ada)
    refused = strict.post(reverse("set-language"), {"language": "ar", "next": "/"})
    assert refused.status_code == 403
    ada.patient_record.refresh_from_db()
    assert ada.patient_record.preferred_language == ""  # not chosen: follows the browser
    page = strict.get(reverse("home")).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    accepted = strict.post(
        reverse("set-language"), {"language": "ar", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    ada.patient_record.refresh_from_db()
    assert ada.patient_record.preferred_language == "ar"
