from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "careloop.assessments"
    label = "assessments"
