from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "careloop.safety"
    label = "safety"

    def ready(self) -> None:
        from careloop.assessments.hooks import on_assessment_recorded
        from careloop.core.worker import register_job
        from careloop.safety.services import notify_raised_alerts, raise_alerts_for_assessment

        on_assessment_recorded("safety.instrument_risk_items", raise_alerts_for_assessment)
        register_job("safety.notify_raised_alerts", notify_raised_alerts)
