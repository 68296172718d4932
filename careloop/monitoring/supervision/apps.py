from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "careloop.monitoring.supervision"
    label = "supervision"
    verbose_name = "Supervision (case review and sign-off)"
