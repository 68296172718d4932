"""`careloop otp_code USERNAME`: the current one-time code of a demo staff member."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.accounts import mfa
from careloop.accounts.models import User


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff user (demo services only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.select_related("service").filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user called {options['username']!r}")
        if user.service is None or not user.service.is_demo:
            # Real staff keep their secret on their own phone; the server must not hand it out.
            raise CommandError("one-time codes are only printed for users of a demo service")
        device = mfa.confirmed_device(user)
        if device is None:
            raise CommandError(f"{user.username} has no enrolled authenticator")
        self.stdout.write(mfa.current_code(device))
