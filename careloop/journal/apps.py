from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "careloop.journal"
    label = "journal"
    verbose_name = "Journal"
