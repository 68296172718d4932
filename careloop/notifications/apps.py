from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "careloop.notifications"
    label = "notifications"

    def ready(self) -> None:
        from careloop.core.worker import register_job
        from careloop.notifications.services import deliver_pending_notifications

        register_job("notifications.deliver", deliver_pending_notifications)
