"""Care pages: the episode's stepped-care level (changed by a clinician, audited)."""

from django.urls import URLPattern

app_name = "care"
urlpatterns: list[URLPattern] = []
