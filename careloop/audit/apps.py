from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "careloop.audit"
    label = "audit"

    def ready(self) -> None:
        from careloop.audit.checkpoints import write_due_checkpoints
        from careloop.core.worker import register_job

        register_job("audit.write_checkpoints", write_due_checkpoints)
