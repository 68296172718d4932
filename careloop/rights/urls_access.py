"""Pages: consent, who accessed my data, break-glass."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
