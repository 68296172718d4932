from django.urls import path

from careloop.safety.planning import views

app_name = "safety_planning"
urlpatterns = [
    path("crisis/", views.crisis, name="crisis"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("plan/", views.my_plan, name="my-plan"),
    path("patients/<uuid:patient_id>/plan/", views.plan_detail, name="plan"),
    path("patients/<uuid:patient_id>/plan/edit/", views.plan_edit, name="plan-edit"),
    path("patients/<uuid:patient_id>/plan/history/", views.plan_history, name="plan-history"),
    path(
        "patients/<uuid:patient_id>/plan/versions/<int:number>/",
        views.plan_version,
        name="plan-version",
    ),
    path("crisis-resources/review/", views.review, name="review"),
]
