"""`careloop fhir-client add|list`: register SMART on FHIR clients of a service.

    careloop fhir-client add --service demo --name "Mood diary app" --kind public-pkce \\
        --redirect-uri https://app.example/callback
    careloop fhir-client add --service demo --name "Service EHR feed" --kind system --purpose TREAT

The client secret (confidential and system clients) is printed once; only its hash is stored.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError

from careloop.core.selectors import service_with_slug
from careloop.fhir.models import SmartClient
from careloop.fhir.smart.clients import ClientRejected, register_client
from careloop.fhir.types import ClientKind

if TYPE_CHECKING:
    from careloop.core.models import Service


class Command(BaseCommand):
    help = "Register or list SMART on FHIR clients (OAuth 2.0 applications) of a service."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        add = commands.add_parser("add", help="register a client and print its credentials")
        add.add_argument("--service", required=True, help="service slug")
        add.add_argument("--name", required=True, help="shown to people on the consent page")
        add.add_argument("--kind", required=True, choices=ClientKind.values)
        add.add_argument(
            "--redirect-uri", action="append", default=[], dest="redirect_uris",
            help="exact redirect URI (repeatable); apps only",
        )  # fmt: skip
        add.add_argument(
            "--purpose", default="", help="system clients: HL7 PurposeOfUse code (default TREAT)"
        )
        listing = commands.add_parser("list", help="list the clients of a service")
        listing.add_argument("--service", required=True, help="service slug")

    def handle(self, *args: Any, **options: Any) -> None:
        service = service_with_slug(options["service"])
        if service is None:
            raise CommandError(f"no service with slug {options['service']!r}")
        if options["subcommand"] == "list":
            self._list(service)
            return
        try:
            registered = register_client(
                service=service,
                name=options["name"],
                kind=ClientKind(options["kind"]),
                redirect_uris=options["redirect_uris"],
                purpose=options["purpose"],
            )
        except ClientRejected as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"client_id: {registered.client_id}")
        if registered.client_secret is not None:
            self.stdout.write(f"client_secret: {registered.client_secret}")
            self.stdout.write("(the secret is shown only now; store it in the client's vault)")

    def _list(self, service: Service) -> None:
        rows = SmartClient.objects.filter(service=service).select_related("application")
        for row in rows.order_by("created_at"):
            purpose = f" purpose={row.purpose}" if row.purpose else ""
            self.stdout.write(
                f"{row.application.client_id}  {row.kind}{purpose}  {row.application.name}"
            )
