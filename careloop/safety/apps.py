from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "careloop.safety"
    label = "safety"

    def ready(self) -> None:
        from careloop.assessments.hooks import on_assessment_recorded
        from careloop.core.worker import register_job
        from careloop.safety import services

        on_assessment_recorded("safety.instrument_risk_items", services.raise_alerts_for_assessment)
        # Imported results nobody could screen (a bare PHQ-9 total, a severe score from another
        # system) go to the clinician review queue, in the import's own transaction.
        on_assessment_recorded("safety.imported_result_review", services.review_imported_result)
        # After the risk items and the sharp rise (which it defers to for the same submission).
        on_assessment_recorded(
            "safety.reliable_deterioration", services.raise_reliable_deterioration
        )
        # Order matters within a tick: start new chains, escalate, send, then reclaim stalls.
        register_job("safety.notify_raised_alerts", services.notify_raised_alerts)
        register_job("safety.escalate_overdue_alerts", services.escalate_overdue_alerts)
        register_job("safety.deliver_alert_messages", services.deliver_alert_messages)
        register_job("safety.sweep_expired_leases", services.sweep_expired_leases)
