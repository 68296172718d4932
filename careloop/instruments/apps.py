from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "careloop.instruments"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Instruments"
