from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "careloop.fhir"
    label = "fhir"
