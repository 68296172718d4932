"""`careloop audit verify|checkpoint|public-key|restrict-app-role`: the audit chain's tools.

verify exits 0 with a summary when every chain is intact, and 1 naming each broken chain's first
bad record otherwise (what to do then: docs/privacy/audit.md).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from careloop.audit import chain, checkpoints, keyfiles, keys, verification

APPEND_ONLY_TABLES = ("audit_auditevent", "audit_auditcheckpoint")


class Command(BaseCommand):
    help = (
        "Audit chain tools: verify [--service ID] (exit 1 on any tampering), checkpoint "
        "[--service ID] (sign now), public-key (for an off-site verifier), "
        "restrict-app-role ROLE (PostgreSQL: INSERT/SELECT only on audit tables)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = actions.add_parser("verify", help="check every chain and its signed checkpoints")
        verify.add_argument("--service", type=uuid.UUID, help="only this service's chain")
        checkpoint = actions.add_parser("checkpoint", help="sign each chain's end now")
        checkpoint.add_argument("--service", type=uuid.UUID, help="only this service's chain")
        actions.add_parser("public-key", help="print the checkpoint key's public half (PEM)")
        restrict = actions.add_parser(
            "restrict-app-role", help="grant ROLE what the app needs, audit tables append-only"
        )
        restrict.add_argument("role", help="an existing PostgreSQL role the app connects as")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options["service"])
        elif action == "checkpoint":
            self._checkpoint(options["service"])
        elif action == "public-key":
            self.stdout.write(keyfiles.public_key_pem(keys.signing_key().public_key()).decode())
        else:
            self._restrict(options["role"])

    def _verify(self, service_id: uuid.UUID | None) -> None:
        started = time.perf_counter()
        reports = verification.verify_all(service_id)
        elapsed = time.perf_counter() - started
        for report in reports:
            if report.problem is not None:
                self.stdout.write(f"FAILED {report.problem}")
                continue
            self.stdout.write(
                f"OK chain {report.chain}: {report.records} records, {report.checkpoints} "
                f"signed checkpoints up to seq {report.anchored_seq}, "
                f"{report.unanchored} records not yet checkpointed"
            )
        broken = [r for r in reports if not r.ok]
        total = sum(r.records for r in reports)
        if broken:
            raise CommandError(
                f"audit verification FAILED for {len(broken)} of {len(reports)} chains "
                f"(first bad record above); see docs/privacy/audit.md"
            )
        self.stdout.write(
            f"audit verified: {len(reports)} chains, {total} records intact in {elapsed:.2f} s"
        )

    def _checkpoint(self, service_id: uuid.UUID | None) -> None:
        if service_id is not None:
            outcomes = [checkpoints.checkpoint_chain(chain.chain_of(service_id), force=True)]
        else:
            outcomes = checkpoints.write_checkpoints(force=True)
        for outcome in outcomes:
            if outcome.written is not None:
                self.stdout.write(f"chain {outcome.chain}: signed at seq {outcome.written.seq}")
            else:
                self.stdout.write(f"chain {outcome.chain}: {outcome.reason}")
        if any(o.reason.startswith("refused") for o in outcomes):
            raise CommandError("a chain failed verification and was not checkpointed")
        if not outcomes:
            self.stdout.write("every chain is already checkpointed")

    def _restrict(self, role: str) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("restrict-app-role needs PostgreSQL (SQLite has no roles)")
        quoted = connection.ops.quote_name(role)
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            found = cursor.fetchone()
            if found is None:
                raise CommandError(f"no PostgreSQL role {role!r}: create it first (CREATE ROLE)")
            if found[0]:
                raise CommandError(f"{role!r} is a superuser: no grant can restrict it")
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE tablename = ANY(%s) AND tableowner = %s",
                [list(APPEND_ONLY_TABLES), role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(f"{role!r} owns the audit tables: the app must not run as owner")
            tables = ", ".join(APPEND_ONLY_TABLES)
            schema = connection.ops.quote_name(_schema(cursor))
            for statement in (
                f"GRANT USAGE ON SCHEMA {schema} TO {quoted}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} "
                f"TO {quoted}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted}",
                f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {tables} FROM {quoted}",
            ):
                cursor.execute(statement)
        self.stdout.write(
            f"{role}: read/write on the app's tables, INSERT/SELECT only on {tables}. "
            "Run again after every migrate (new tables need their grants)."
        )


def _schema(cursor: Any) -> str:
    cursor.execute("SELECT current_schema()")
    return str(cursor.fetchone()[0])
