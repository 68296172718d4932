"""Administration in the web (wiring only): each page is a view in its own domain."""

from django.urls import URLPattern

app_name = "manage"
urlpatterns: list[URLPattern] = []
