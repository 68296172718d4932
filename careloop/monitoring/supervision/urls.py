"""Supervision pages: the consultant's review list, and a patient's case reviews."""

from django.urls import URLPattern, path

from careloop.monitoring.supervision import views

app_name = "supervision"
urlpatterns: list[URLPattern] = [
    path("", views.review_list, name="review-list"),
    path("patients/<uuid:patient_id>/", views.patient_reviews, name="patient"),
    path("patients/<uuid:patient_id>/reviews", views.add_review, name="add-review"),
]
