from django.urls import path

from careloop.journal import views

app_name = "journal"
urlpatterns = [
    path("", views.index, name="index"),
    path("entries/", views.write, name="write"),
    path("entries/<uuid:entry_id>/sharing/", views.sharing, name="sharing"),
    path("patients/<uuid:patient_id>/", views.shared, name="shared"),
]
