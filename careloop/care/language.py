"""Which language a page is in (#14, docs/patient-app/languages.md).

Precedence, highest first:

1. an explicit choice: the header's language picker (`set_language_view`) sets Django's language
   cookie, which LocaleMiddleware reads first;
2. a signed-in patient's saved preference (Patient.preferred_language), which the picker also
   writes, so the choice follows the patient to another device at their next sign-in
   (`SavedLanguageMiddleware`);
3. the browser's Accept-Language (LocaleMiddleware);
4. settings.LANGUAGE_CODE (English).

A saved preference that is not a shipped language (e.g. "so" from a FHIR import) falls through to
the browser; a regional tag ("pt-BR", "es-419") uses its shipped base language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from careloop.accounts.selectors import signed_in_user
from careloop.accounts.types import Role
from careloop.care.selectors import own_patient_record
from careloop.care.services import set_preferred_language
from careloop.core.errors import DomainError

# The session remembers the saved preference it looked up, so it is one query per session.
_SESSION_KEY = "careloop_saved_language"

__all__ = ["SavedLanguageMiddleware", "set_language_view", "shipped_language"]


def shipped_language(tag: str) -> str | None:
    """The shipped language code for a BCP-47 tag, or None when none fits."""
    if not tag:
        return None
    try:
        return translation.get_supported_language_variant(tag.strip().lower())
    except LookupError:
        return None


def _saved_language(request: HttpRequest) -> str | None:
    user = signed_in_user(request)
    if user is None or user.role != Role.PATIENT:
        return None
    remembered = request.session.get(_SESSION_KEY)
    if isinstance(remembered, list) and len(remembered) == 2 and remembered[0] == str(user.id):
        return shipped_language(remembered[1])
    try:
        saved = own_patient_record(user).preferred_language
    except DomainError:
        saved = ""
    request.session[_SESSION_KEY] = [str(user.id), saved]
    return shipped_language(saved)


class SavedLanguageMiddleware:
    """After authentication: a signed-in patient without an explicit choice (no language cookie)
    gets their saved language rather than the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if shipped_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")) is None:
            language = _saved_language(request)
            if language is not None:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, run by hand (the view is exempt from the middleware's)."""
    checker = CsrfViewMiddleware(_checked_view)
    return checker.process_view(request, _checked_view, (), {})


def _checked_view(request: HttpRequest) -> HttpResponse:
    """Stands for the view in the hand-run check (the real one is csrf_exempt, so skipped)."""
    raise AssertionError("never called")


@csrf_exempt
@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """The language picker: Django's set_language (cookie, safe redirect to `next`), and for a
    signed-in patient the choice saved as their preferred language (audited).

    CSRF: a signed-in user's choice is checked like any form (it writes to their record). A
    signed-out visitor's only sets the language cookie, so it needs no token, and the picker
    renders none for them: a token on every public page would re-send the CSRF cookie with each
    of them, and the offline app's background fetch of public pages, racing a sign-in, could put
    the pre-sign-in cookie back and break the first form after it.
    """
    user = signed_in_user(request)
    if user is not None and (refusal := _csrf_refusal(request)) is not None:
        return refusal
    response = set_language(request)
    language = shipped_language(request.POST.get("language", ""))
    if language is not None and user is not None and user.role == Role.PATIENT:
        try:
            set_preferred_language(user, own_patient_record(user), language)
        except DomainError:
            pass  # no patient record (e.g. erased): the cookie alone still applies
        else:
            request.session[_SESSION_KEY] = [str(user.id), language]
    return response
