from django.urls import path

from careloop.monitoring import learn_views, progress_views, registry_views, reminder_views, views

app_name = "monitoring"
urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
    path("reminders/", reminder_views.reminders, name="reminders"),
    path("progress/", progress_views.progress, name="progress"),
    path("learn/", learn_views.learn_index, name="learn"),
    path("learn/<slug:slug>/", learn_views.learn_module, name="learn-module"),
    path("caseload/", registry_views.caseload, name="caseload"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient"),
    path("patients/<uuid:patient_id>/plan/<slug:measure>/", views.plan_item, name="plan-item"),
]
