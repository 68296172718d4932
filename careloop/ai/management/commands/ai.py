"""`careloop ai audit-screen --nhanes DIR`: audit the two-step depression screen on NHANES.

Prints JSON (see careloop/ai/screen_audit.py and docs/ai/nhanes-screen-audit.md): `overall` and
`groups.<dimension>.<group>`, each with `n` (unweighted respondents with PHQ-9 >= 10 in the group),
the survey-weighted sensitivity with its 95 % CI and reliability flag, prevalence and the PHQ-2
step's specificity and PPV, plus the fairness gate per dimension. Exit status 1 with a plain
message when the folder or its files cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.ai.fairness.gate import GatePolicy
from careloop.ai.screen_audit import (
    PHQ2_POSITIVE,
    ScreenAuditError,
    audit_two_step_screen,
    load_audit_rows,
)


class Command(BaseCommand):
    help = "AI and fairness: audits of the models and screening rules Careloop uses."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        audit = actions.add_parser(
            "audit-screen",
            help="audit 'PHQ-2 >= 3, then PHQ-9' against PHQ-9 >= 10 on NHANES 2017-2018",
        )
        audit.add_argument(
            "--nhanes",
            required=True,
            type=Path,
            help="folder with DPQ_J.csv and DEMO_J.csv (NHANES 2017-2018)",
        )
        audit.add_argument(
            "--phq2-cutoff",
            type=int,
            default=PHQ2_POSITIVE,
            choices=range(7),
            metavar="0-6",
            help=f"first step's cut-off: a PHQ-2 total at or above it goes on ({PHQ2_POSITIVE})",
        )
        audit.add_argument(
            "--max-gap",
            type=float,
            default=5.0,
            help="the gate's largest allowed sensitivity gap, in percentage points (default 5)",
        )
        audit.add_argument(
            "--gap-alone-blocks",
            action="store_true",
            help="block on the gap alone, even when the groups' CIs overlap",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["max_gap"] <= 100:
            raise CommandError("--max-gap is in percentage points, between 0 and 100")
        policy = GatePolicy(
            max_gap=options["max_gap"] / 100,
            require_separate_cis=not options["gap_alone_blocks"],
        )
        try:
            rows = load_audit_rows(options["nhanes"])
        except ScreenAuditError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"cannot read the NHANES files: {error.strerror}") from error
        audit = audit_two_step_screen(rows, policy, phq2_cutoff=options["phq2_cutoff"])
        self.stdout.write(json.dumps(audit, indent=1))
