from django.urls import path

from careloop.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient"),
]
