from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "careloop.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from careloop.core.worker import register_job
        from careloop.monitoring.services import ensure_default_plans_job, send_due_reminders

        # Plans first, so a newly planned patient can be reminded in the same tick.
        register_job("monitoring.ensure_default_plans", ensure_default_plans_job)
        register_job("monitoring.send_due_reminders", send_due_reminders)
