from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "careloop.ai"
    label = "ai"
    verbose_name = "AI and fairness audit"
