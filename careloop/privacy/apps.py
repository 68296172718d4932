from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "careloop.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from careloop.audit.services import register_emergency_judge
        from careloop.core.worker import register_job
        from careloop.privacy import breakglass

        register_job("privacy.close_expired_break_glass", breakglass.close_expired_grants)
        register_emergency_judge(breakglass.emergency_patients)
