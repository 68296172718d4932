"""Pages: export, erasure, research extracts."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
