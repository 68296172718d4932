from django.urls import path

from careloop.safety import review_views, views

app_name = "safety"
urlpatterns = [
    path("", views.alert_list, name="alert-list"),
    path("raise/", views.raise_alert, name="alert-raise"),
    path("review/", review_views.review_queue, name="review-queue"),
    path("review/<uuid:item_id>/reviewed", review_views.mark_reviewed, name="review-complete"),
    path("<uuid:alert_id>/", views.alert_detail, name="alert-detail"),
    path("<uuid:alert_id>/acknowledge", views.acknowledge, name="alert-acknowledge"),
    path("<uuid:alert_id>/action", views.record_action, name="alert-action"),
    path("<uuid:alert_id>/close", views.close, name="alert-close"),
]
