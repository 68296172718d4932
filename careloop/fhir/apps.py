from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "careloop.fhir"
    label = "fhir"

    def ready(self) -> None:
        from careloop.fhir.bulk.jobs import register_bulk_jobs

        # The worker builds $export files and expires old ones (SKIP LOCKED claims, leases).
        register_bulk_jobs()
