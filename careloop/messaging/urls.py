from django.urls import path

from careloop.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("patients/<uuid:patient_id>/", views.thread, name="thread"),
]
