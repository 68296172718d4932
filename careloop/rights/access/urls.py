"""Pages: consent, who accessed my data, break-glass."""

from django.urls import URLPattern, path

from careloop.rights.access import views as access_views

urlpatterns: list[URLPattern] = [
    path("privacy/", access_views.privacy_choices, name="privacy"),
    path("privacy/decide/", access_views.privacy_decide, name="privacy-decide"),
    path("access/", access_views.access_log, name="access-log"),
    path("access/emergency/", access_views.break_glass, name="break-glass"),
    path(
        "access/emergency/<uuid:grant_id>/end/",
        access_views.break_glass_end,
        name="break-glass-end",
    ),
    path("access/emergency/review/", access_views.break_glass_review, name="break-glass-review"),
]
