"""Learn (issue #14 item 6): short self-help modules, /learn/ and /learn/<slug>/.

Open to everyone, signed in or not: self-help is not personal data, someone who cannot sign in
(or has not yet been referred) may need it most, and the offline helper caches /learn/. Nothing
here reads patient data except, for a signed-in patient, the emergency number of their service
(the crisis card safety already shows them), so the "not safe" module can say it first.

Which language: `?lang=xx` when a module is written in it (the language links under each
module), else the page language, else English (the source). The module text carries its own
`lang` and `dir`, so a screen reader and the read-aloud button speak it in the right language
even when the rest of the page is in another.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from careloop.accounts.selectors import request_user
from careloop.care.selectors import own_patient_record
from careloop.core.errors import NotFound
from careloop.monitoring import learn
from careloop.safety.planning.selectors import crisis_card_for


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in learn.LANGUAGES:
        return asked
    return learn.content_language(get_language())


def _emergency_number(request: HttpRequest) -> str:
    """The verified emergency number of a signed-in patient's service, else "" (the page then
    says "your local emergency number")."""
    if not request.user.is_authenticated:
        return ""
    try:
        patient = own_patient_record(request_user(request))
    except NotFound:
        return ""
    emergency = crisis_card_for(patient).emergency
    if emergency is None or not emergency.verified:
        return ""
    return emergency.number or ""


def _language_links(slug: str | None, current: str) -> list[tuple[str, str, str, bool]]:
    """(code, name in its own language, direction, is current) for each language written."""
    codes = learn.languages_of(slug) if slug else learn.LANGUAGES
    return [
        (
            code,
            learn.LANGUAGE_NAMES[code],
            "rtl" if code in learn.RIGHT_TO_LEFT else "ltr",
            code == current,
        )
        for code in codes
    ]


@require_GET
def learn_index(request: HttpRequest) -> HttpResponse:
    lang = _language(request)
    modules = learn.all_modules(lang)
    return render(
        request,
        "monitoring/learn_index.html",
        {
            "modules": modules,
            "lang": lang,
            "direction": "rtl" if lang in learn.RIGHT_TO_LEFT else "ltr",
            "languages": _language_links(None, lang),
        },
    )


@require_GET
def learn_module(request: HttpRequest, slug: str) -> HttpResponse:
    lang = _language(request)
    module = learn.module_in(slug, lang)
    if module is None:
        raise Http404
    others = [m for m in learn.all_modules(module.lang) if m.slug != slug]
    return render(
        request,
        "monitoring/learn_module.html",
        {
            "module": module,
            "sections": learn.sections(module),
            "languages": _language_links(slug, module.lang),
            "emergency_number": _emergency_number(request) if module.urgent else "",
            "others": others,
        },
    )
