"""Staff pages of the ai domain (#15): registry and cards, kill switch, decisions on
suggestions, review tasks. The patient's page is in patient_urls.py (/decisions/)."""

from django.urls import URLPattern, path

from careloop.ai import views

app_name = "ai"
urlpatterns: list[URLPattern] = [
    path("", views.registry, name="registry"),
    path("switch", views.switch, name="switch"),
    path("models/<uuid:version_id>/", views.model_card, name="model-card"),
    path("models/<uuid:version_id>/audit", views.audit_report, name="audit-report"),
    path("suggestions/<uuid:suggestion_id>/decide", views.decide, name="decide"),
    path("patients/<uuid:patient_id>/check", views.check_now, name="check-now"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<uuid:task_id>/", views.review_answer, name="review"),
]
