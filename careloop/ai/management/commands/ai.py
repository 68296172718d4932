"""`careloop ai …`: the models' registry, training and audits (docs/ai/).

  train --service SLUG [--seed N]         fit, calibrate and evaluate the early-warning model on
                                          the service's closed episodes; store a draft version
  audit VERSION --service SLUG [--html F] fairness audit on the version's held-out predictions
                                          (JSON on stdout, HTML report with SVG plots)
  register-rules FILE --service SLUG      store a new stepped-care rule version (draft)
  dry-run VERSION --service SLUG          try a rule version on the service's past episodes
  drift --service SLUG [--days N]         compare recent estimates with earlier ones / training
  card VERSION [--service SLUG] [--kind]  print the model card (Markdown)
  audit-screen --nhanes DIR               audit the two-step depression screen on NHANES:

Prints JSON (see careloop/ai/screen_audit.py and docs/ai/nhanes-screen-audit.md): `overall` and
`groups.<dimension>.<group>`, each with `n` (unweighted respondents with PHQ-9 >= 10 in the group),
the survey-weighted sensitivity with its 95 % CI and reliability flag, prevalence and the PHQ-2
step's specificity and PPV, plus the fairness gate per dimension. Exit status 1 with a plain
message when the folder or its files cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.ai.builtin import STEPPED_CARE_RULES
from careloop.ai.cards import card_of, markdown
from careloop.ai.early_warning.training import TooFewEpisodes
from careloop.ai.fairness.gate import GatePolicy
from careloop.ai.models import ModelVersion
from careloop.ai.report import audit_html
from careloop.ai.screen_audit import (
    PHQ2_POSITIVE,
    ScreenAuditError,
    audit_two_step_screen,
    load_audit_rows,
)
from careloop.ai.selectors.registry import active_version, facts_of, version_for_system
from careloop.ai.services.evaluation import audit_version, check_drift, dry_run_rules
from careloop.ai.services.registry import register_version
from careloop.ai.services.training import provenance_of, train_for_service
from careloop.ai.stepped_care.rules import validate
from careloop.ai.types import ModelKind
from careloop.core.errors import InvalidInput, NotFound
from careloop.core.selectors import service_with_slug

if TYPE_CHECKING:
    from careloop.core.models import Service


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
        add_model_commands(actions)

    def handle(self, *args: Any, **options: Any) -> None:
        handlers = {
            "audit-screen": self._audit_screen,
            "train": self._train,
            "audit": self._audit,
            "register-rules": self._register_rules,
            "dry-run": self._dry_run,
            "drift": self._drift,
            "card": self._card,
        }
        handlers[options["action"]](options)

    def _audit_screen(self, options: dict[str, Any]) -> None:
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

    # ------------------------------------------------------------------ models (#15)

    def _service(self, slug: str) -> Service:
        service = service_with_slug(slug)
        if service is None:
            raise CommandError(f"no service with the slug {slug!r}")
        return service

    def _version(self, options: dict[str, Any], kind: str) -> ModelVersion:
        service = self._service(options["service"]) if options.get("service") else None
        try:
            return version_for_system(service.id if service else None, kind, options["version"])
        except NotFound:
            where = f"service {options['service']}" if service else "the global registry"
            raise CommandError(f"no {kind} version {options['version']!r} in {where}") from None

    def _train(self, options: dict[str, Any]) -> None:
        service = self._service(options["service"])
        try:
            version, result, skipped = train_for_service(
                service, seed=options["seed"], policy=_policy(options)
            )
        except TooFewEpisodes as error:
            raise CommandError(str(error)) from error
        metrics = result.metrics
        self.stdout.write(
            json.dumps(
                {
                    "version": version.version,
                    "status": version.status,
                    "synthetic": provenance_of(service)[1],
                    "episodes": {
                        "train": result.n_train,
                        "calibration": result.n_calibration,
                        "held_out": result.n_test,
                        "left_out_without_data": skipped,
                    },
                    "held_out": {
                        key: metrics[key]
                        for key in (
                            "auroc",
                            "brier",
                            "ece",
                            "ece_before_calibration",
                            "prevalence_test",
                            "n_test_continued",
                            "auroc_continued",
                            "ece_continued",
                        )
                    },
                    "calibration": result.calibration,
                    "gate": {d: g["explanation"] for d, g in result.gate.items()},
                    "gate_blocked": result.gate_blocked,
                    "coefficients": dict(
                        zip(result.model.feature_names, result.model.coefficients, strict=True)
                    ),
                },
                indent=1,
            )
        )

    def _audit(self, options: dict[str, Any]) -> None:
        version = self._version(options, ModelKind.EARLY_WARNING)
        try:
            audit = audit_version(
                version, _policy(options), seed=options["seed"], n_bootstrap=options["bootstrap"]
            )
        except InvalidInput as error:
            raise CommandError(str(error)) from error
        if options.get("html"):
            Path(options["html"]).write_text(audit_html(audit), encoding="utf-8")
        self.stdout.write(json.dumps(audit, indent=1, default=str))

    def _register_rules(self, options: dict[str, Any]) -> None:
        service = self._service(options["service"])
        try:
            rules = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            validate(rules)
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot use {options['file']}: {error}") from error
        version = register_version(
            actor=None,
            service_id=service.id,
            kind=ModelKind.STEPPED_CARE_RULES,
            version=str(rules["version"]),
            intended_use=str(rules.get("intended_use", STEPPED_CARE_RULES["intended_use"])),
            training_data=STEPPED_CARE_RULES["training_data"],
            provenance=str(rules.get("provenance", f"Registered from {options['file']}")),
            limitations=list(rules.get("limitations", STEPPED_CARE_RULES["limitations"])),
            method=STEPPED_CARE_RULES["method"],
            parameters=rules,
        )
        self.stdout.write(
            f"Rule version {version.version} stored as a draft. Dry-run it "
            f"(careloop ai dry-run {version.version} --service {service.slug}); a supervisor "
            "signs it off in the app."
        )

    def _dry_run(self, options: dict[str, Any]) -> None:
        version = self._version(options, ModelKind.STEPPED_CARE_RULES)
        try:
            result = dry_run_rules(version)
        except (InvalidInput, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(result["summary"])
        self.stdout.write(json.dumps(result, indent=1))

    def _drift(self, options: dict[str, Any]) -> None:
        service = self._service(options["service"])
        version = active_version(service.id, ModelKind.EARLY_WARNING)
        if version is None or version.service_id is None:
            raise CommandError("the service has no early-warning model in use")
        check = check_drift(version, window_days=options["days"])
        self.stdout.write(
            json.dumps(
                {
                    "version": version.version,
                    "flagged": check.flagged,
                    "flags": check.flags,
                    "reference": check.reference,
                    "recent": check.recent,
                    "psi": check.psi,
                    "calibration": check.calibration,
                },
                indent=1,
            )
        )

    def _card(self, options: dict[str, Any]) -> None:
        version = self._version(options, options["kind"])
        self.stdout.write(markdown(card_of(facts_of(version))))


def _policy(options: dict[str, Any]) -> GatePolicy:
    if not 0 <= options["max_gap"] <= 100:
        raise CommandError("--max-gap is in percentage points, between 0 and 100")
    return GatePolicy(
        max_gap=options["max_gap"] / 100, require_separate_cis=not options["gap_alone_blocks"]
    )


def _gate_options(parser: CommandParser) -> None:
    parser.add_argument("--max-gap", type=float, default=5.0, help="percentage points (5)")
    parser.add_argument("--gap-alone-blocks", action="store_true")
    parser.add_argument("--seed", type=int, default=0, help="split / bootstrap seed (0)")


def add_model_commands(actions: Any) -> None:
    train = actions.add_parser("train", help="train the early-warning model for a service")
    train.add_argument("--service", required=True, help="the service's slug")
    _gate_options(train)
    audit = actions.add_parser("audit", help="fairness audit of an early-warning version")
    audit.add_argument("version")
    audit.add_argument("--service", required=True)
    audit.add_argument("--html", type=Path, help="write the HTML report here")
    audit.add_argument("--bootstrap", type=int, default=1000)
    _gate_options(audit)
    rules = actions.add_parser("register-rules", help="store a stepped-care rule version")
    rules.add_argument("file", type=Path)
    rules.add_argument("--service", required=True)
    dry = actions.add_parser("dry-run", help="try a rule version on past episodes")
    dry.add_argument("version")
    dry.add_argument("--service", required=True)
    drift = actions.add_parser("drift", help="check the early-warning model for drift")
    drift.add_argument("--service", required=True)
    drift.add_argument("--days", type=int, default=90, help="window length in days (90)")
    card = actions.add_parser("card", help="print a model card")
    card.add_argument("version")
    card.add_argument("--service", help="empty for a global version")
    card.add_argument(
        "--kind", default=ModelKind.EARLY_WARNING, choices=[kind.value for kind in ModelKind]
    )
