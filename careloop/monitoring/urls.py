from django.urls import path

from careloop.monitoring import registry_views, views

app_name = "monitoring"
urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
    path("caseload/", registry_views.caseload, name="caseload"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient"),
    path("patients/<uuid:patient_id>/plan/<slug:measure>/", views.plan_item, name="plan-item"),
]
