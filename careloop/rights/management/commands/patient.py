"""`careloop patient export|erase`: a patient's rights handled by a service admin on a written
request (the patient's own pages are /me/data/ and /me/data/erase/).

    careloop patient export PATIENT_ID --by ADMIN --out FILE
    careloop patient erase PATIENT_ID --by ADMIN             # shows what would happen
    careloop patient erase PATIENT_ID --by ADMIN --confirm   # does it (one transaction)
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.accounts.patient_data import active_service_admin
from careloop.care.patient_data import patient_of_service
from careloop.core.errors import DomainError
from careloop.rights.data import erasure
from careloop.rights.data.export import export_patient
from careloop.rights.data.views import erasure_outline

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient


class Command(BaseCommand):
    help = "A patient's rights on a written request: export everything, or erase."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        export = commands.add_parser("export", help="write the patient's FHIR Bundle to a file")
        export.add_argument("patient_id", type=uuid.UUID)
        export.add_argument("--by", required=True, help="user name of the service admin")
        export.add_argument("--out", required=True, type=Path, help="file to write (JSON)")
        erase = commands.add_parser("erase", help="erase the patient per the retention policy")
        erase.add_argument("patient_id", type=uuid.UUID)
        erase.add_argument("--by", required=True, help="user name of the service admin")
        erase.add_argument("--confirm", action="store_true", help="carry it out (else dry run)")
        erase.add_argument(
            "--written-request",
            action="store_true",
            help="the patient asked in writing rather than on their page",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        admin = self._admin(options["by"])
        service_id = admin.service_id
        if service_id is None:
            raise CommandError("--by must name an active service admin")
        patient = patient_of_service(service_id, options["patient_id"])
        if patient is None:
            raise CommandError("patient not found in your service (or already erased)")
        try:
            if options["subcommand"] == "export":
                self._export(admin, patient, options["out"])
            else:
                self._erase(admin, patient, options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def _admin(self, username: str) -> User:
        admin = active_service_admin(username)
        if admin is None:
            raise CommandError("--by must name an active service admin")
        return admin

    def _export(self, admin: User, patient: Patient, out: Path) -> None:
        bundle = export_patient(admin, patient)
        out.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"wrote {len(bundle['entry'])} resources to {out}")

    def _erase(self, admin: User, patient: Patient, options: dict[str, Any]) -> None:
        if not options["confirm"]:
            outline = erasure_outline(patient)
            self.stdout.write("dry run (add --confirm to erase):")
            self.stdout.write(f"  requested on the patient's page: {patient.erasure_requested_at}")
            self.stdout.write(f"  open safety alerts: {outline['open_alerts']}")
            for rule in outline["erased"]:
                self.stdout.write(f"  erase: {rule.model}")
            for item in outline["kept"]:
                self.stdout.write(f"  keep (legal hold): {item['rule'].model} x{item['count']}")
            return
        receipt = erasure.erase_patient(
            admin, patient.id, written_request=options["written_request"]
        )
        self.stdout.write(
            json.dumps(
                {
                    "patient_id": str(receipt.patient_id),
                    "erased": receipt.erased,
                    "kept_under_legal_hold": receipt.kept,
                    "legal_hold_until": receipt.legal_hold_until.isoformat()
                    if receipt.legal_hold_until
                    else None,
                },
                indent=1,
            )
        )
