from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "careloop.privacy"
    label = "privacy"
    verbose_name = "Privacy"
