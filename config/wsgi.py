"""WSGI entry point (granian or gunicorn). Sync Django is served over WSGI, never ASGI."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load every URLconf (and the API schemas behind it) now, in the worker's start-up, rather than
# in the first patient's request.
get_resolver().url_patterns  # noqa: B018
