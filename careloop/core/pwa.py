"""The installable app (#14 item 2): the web app manifest, the app-wide service worker and the
offline page. Progressive enhancement over the server pages, no build step.

* `/manifest.webmanifest`: name, icons (192, 512, maskable 512), start URL and scope `/`,
  standalone display, the brand colours, and `lang`/`dir` of the page's current language.
* `/sw.js`: the service worker (template `core/sw.js`), scope `/`. It precaches the app shell
  (styles, scripts, icons, the offline page), the public crisis page and Learn, and keeps the
  patient's own few pages (today's tasks, check-in, journal, questionnaires, safety plan) from
  their last visit, network first. Its version is a hash of what it precaches and of its own
  text, so any change installs a new worker and drops the old caches.
* `/offline/`: what a page that was never kept shows without a connection.

What is kept, the outbox and the privacy trade-off: docs/patient-app/offline.md.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#0b5394"  # --brand in careloop.css
BACKGROUND_COLOUR = "#ffffff"

# Static files every page may need without a connection (paths under STATIC_URL).
SHELL_STATIC = (
    "careloop/careloop.css",
    "careloop/pwa.css",
    "careloop/pwa.js",
    "careloop/outbox.js",
    "careloop/read_aloud.css",
    "careloop/read_aloud.js",
    "careloop/icons/icon-192.png",
    "careloop/icons/icon-512.png",
    "careloop/icons/icon-maskable-512.png",
    "monitoring/learn.css",
    "safety_planning/safety_planning.css",
    "safety_planning/register-sw.js",
)


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "en"
    data = {
        "name": "Careloop",
        "short_name": "Careloop",
        "description": _("Your questionnaires, check-ins, journal and safety plan."),
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "lang": language,
        "dir": "rtl" if translation.get_language_bidi() else "ltr",
        "icons": [
            {"src": static("careloop/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("careloop/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("careloop/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("Get help now"), "url": reverse("safety_planning:crisis")},
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/manifest+json; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Cookie, Accept-Language"  # its lang follows the page's language
    return response


def shell_urls() -> list[str]:
    return [static(path) for path in SHELL_STATIC]


def _static_digest() -> str:
    """Of the precached files' contents (read on each request for the worker, about 60 KB: a
    changed stylesheet is picked up without a restart, and the browser asks only on navigation)."""
    digest = hashlib.sha256()
    for path in SHELL_STATIC:
        found = finders.find(path)
        digest.update(path.encode())
        if isinstance(found, str):
            digest.update(Path(found).read_bytes())
    return digest.hexdigest()


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The app-wide service worker (scope `/`). Rendered without the request's language or user:
    one script for everyone; the pages it keeps carry their own language."""
    context = {
        "shell": shell_urls(),
        "offline_url": reverse("offline"),
        "crisis_url": reverse("safety_planning:crisis"),
        "learn_url": reverse("monitoring:learn"),
        "login_url": reverse("accounts:login"),
        "static_prefix": static(""),
    }
    body = render_to_string("core/sw.js", {**context, "version": ""})
    version = hashlib.sha256((body + _static_digest()).encode()).hexdigest()[:12]
    body = render_to_string("core/sw.js", {**context, "version": version})
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # browsers must pick up a new worker promptly
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker for a page it never kept; public, nothing about anyone."""
    response = render(request, "core/offline.html")
    if not request.user.is_authenticated:
        response["Cache-Control"] = "no-cache"
    return response
