from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "careloop.monitoring"
    label = "monitoring"
