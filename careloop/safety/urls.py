from django.urls import path

from careloop.safety import views

app_name = "safety"
urlpatterns = [path("", views.alert_list, name="alert-list")]
