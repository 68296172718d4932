"""The patient's "Decisions about my care" (#15 item 6), mounted at /decisions/."""

from django.urls import URLPattern, path

from careloop.ai import patient_views

app_name = "decisions"
urlpatterns: list[URLPattern] = [
    path("", patient_views.my_decisions, name="mine"),
    path("<uuid:suggestion_id>/review", patient_views.ask_for_review, name="ask-review"),
]
