from django.apps import AppConfig


class SafetyPlanningConfig(AppConfig):
    name = "careloop.safety.planning"
    label = "safety_planning"
    verbose_name = "Safety planning (crisis resources and safety plans)"
