"""`careloop monitoring-settings`: a service admin shows or changes the service's monitoring
settings; today the questionnaire offered after a positive PHQ-9 item 9 (HZ-021).

    careloop monitoring-settings show --by ADMIN
    careloop monitoring-settings set-risk-follow-up INSTRUMENT_ID --by ADMIN
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.accounts.selectors import active_user_named
from careloop.accounts.types import Role
from careloop.core.errors import DomainError
from careloop.monitoring.follow_up_services import follow_up_instrument, set_risk_follow_up


class Command(BaseCommand):
    help = "Show or change the service's monitoring settings (follow-up after PHQ-9 item 9)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        show = commands.add_parser("show", help="the follow-up questionnaire in use")
        show.add_argument("--by", required=True, help="user name of the service admin")
        change = commands.add_parser(
            "set-risk-follow-up", help="choose the questionnaire offered after item 9 >= 1"
        )
        change.add_argument("instrument_id", help='e.g. "cssrs_screener" (the default)')
        change.add_argument("--by", required=True, help="user name of the service admin")

    def handle(self, *args: Any, **options: Any) -> None:
        admin = active_user_named(options["by"])
        if admin is None or admin.role != Role.SERVICE_ADMIN or admin.service_id is None:
            raise CommandError("--by must name an active service admin")
        if options["subcommand"] == "set-risk-follow-up":
            try:
                set_risk_follow_up(actor=admin, instrument_id=options["instrument_id"])
            except DomainError as error:
                raise CommandError(error.message) from None
        in_use = follow_up_instrument(admin.service_id)
        self.stdout.write(f"follow-up after PHQ-9 item 9 >= 1: {in_use or 'none enabled'}")
