from django.apps import AppConfig


class SeedConfig(AppConfig):
    name = "careloop.seed"
    label = "seed"
