from django.urls import path

from careloop.assessments import views

app_name = "assessments"
urlpatterns = [
    path("history/", views.history, name="history"),
    path("results/<uuid:assessment_id>/", views.result, name="result"),
    path("<slug:instrument_id>/", views.answer, name="answer"),
]
