"""Service pages: the service lead's outcomes dashboard (docs/workspace/dashboard.md)."""

from django.urls import path

from careloop.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard.csv", views.dashboard_csv, name="dashboard-csv"),
]
