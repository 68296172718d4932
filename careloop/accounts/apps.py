from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "careloop.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Signal receivers: session stamps at sign-in, sessions ended when an account is disabled.
        from careloop.accounts import auth_audit, sessions  # noqa: F401
