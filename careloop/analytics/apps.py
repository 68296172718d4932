from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "careloop.analytics"
    label = "analytics"
