from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "careloop.monitoring"
    label = "monitoring"

    def ready(self) -> None:
        from careloop.assessments import meaning
        from careloop.assessments.hooks import on_assessment_recorded
        from careloop.core.worker import register_job
        from careloop.monitoring import follow_up_selectors, follow_up_services
        from careloop.monitoring.outcome_selectors.bands import refresh_band_models
        from careloop.monitoring.services import ensure_default_plans_job, send_due_reminders
        from careloop.safety import presenters

        # Plans first, so a newly planned patient can be reminded in the same tick.
        register_job("monitoring.ensure_default_plans", ensure_default_plans_job)
        register_job("monitoring.send_due_reminders", send_due_reminders)
        # Expected-recovery bands refitted ahead of any page (one service per tick).
        register_job("monitoring.refresh_band_models", refresh_band_models)
        # The follow-up after a positive PHQ-9 item 9 (HZ-021): offered and completed inside the
        # submission's transaction; shown on the result page and the alert page.
        on_assessment_recorded("monitoring.follow_up", follow_up_services.on_assessment_recorded)
        meaning.read_follow_ups_with("monitoring", follow_up_selectors.follow_up_link)
        presenters.read_follow_ups_with("monitoring", follow_up_selectors.follow_up_lines_for_alert)
