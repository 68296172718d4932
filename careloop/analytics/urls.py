"""Service pages: the service lead's outcomes dashboard."""

from django.urls import URLPattern

app_name = "analytics"
urlpatterns: list[URLPattern] = []
