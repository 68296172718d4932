"""`careloop keys`: the field-encryption keyring (status, rotate, reencrypt, retire).

Runbook: docs/privacy/hardening.md. Key material is never printed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.core import crypto, key_rotation


class Command(BaseCommand):
    help = "Manage the keys that encrypt free text at rest: status, rotate, reencrypt, retire."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="key ids in the ring and how many values use each")
        rotate = actions.add_parser(
            "rotate", help="add a new active key, then re-encrypt every value with it"
        )
        rotate.add_argument(
            "--no-reencrypt",
            action="store_true",
            help="only add and activate the key (re-encrypt later with `keys reencrypt`)",
        )
        rotate.add_argument("--retire", metavar="KEY_ID", help="then remove this old key")
        rotate.add_argument("--batch-size", type=int, default=500)
        reencrypt = actions.add_parser(
            "reencrypt", help="re-encrypt values still under an older key (resumable)"
        )
        reencrypt.add_argument("--batch-size", type=int, default=500)
        retire = actions.add_parser("retire", help="remove a key no value uses any more")
        retire.add_argument("key_id")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except crypto.EncryptionError as error:
            raise CommandError(str(error)) from None

    def _status(self, options: dict[str, Any]) -> None:
        keyring = crypto.get_keyring()
        for key_id in sorted(keyring.keys):
            marker = " (active)" if key_id == keyring.active else ""
            self.stdout.write(f"key {key_id}{marker}")
        for column in key_rotation.usage():
            counts = ", ".join(f"{k}: {n}" for k, n in sorted(column.by_key.items())) or "empty"
            self.stdout.write(f"{column.label}: {counts}")

    def _rotate(self, options: dict[str, Any]) -> None:
        previous, active = key_rotation.rotate()
        self.stdout.write(f"new active key {active} (previous {previous} kept for reading)")
        if not options["no_reencrypt"]:
            self._reencrypt(options)
        if options["retire"]:
            self._retire({"key_id": options["retire"]})

    def _reencrypt(self, options: dict[str, Any]) -> None:
        count = key_rotation.reencrypt(options["batch_size"], progress=self.stdout.write)
        self.stdout.write(f"re-encrypted {count} values under {crypto.get_keyring().active}")

    def _retire(self, options: dict[str, Any]) -> None:
        key_rotation.retire(options["key_id"])
        self.stdout.write(f"retired key {options['key_id']}")
