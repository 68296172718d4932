from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "careloop.ai"
    label = "ai"
    verbose_name = "AI and fairness audit"

    def ready(self) -> None:
        from careloop.ai.selectors.oversight import overridden_for_supervisor
        from careloop.ai.services.predictions import make_due_predictions
        from careloop.ai.services.suggestions import make_due_suggestions
        from careloop.core.worker import register_job
        from careloop.monitoring.supervision.suggestions import register_override_source

        register_job("ai.make_due_predictions", make_due_predictions)
        register_job("ai.make_due_suggestions", make_due_suggestions)
        register_override_source("ai.suggestions", overridden_for_supervisor)
