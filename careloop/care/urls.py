"""Care pages: the episode's stepped-care level (changed by a clinician, audited)."""

from django.urls import URLPattern, path

from careloop.care import views

app_name = "care"
urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:episode_id>/step", views.change_episode_step, name="episode-step"),
]
