from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "careloop.rights"
    label = "rights"
    verbose_name = "Patient rights"
