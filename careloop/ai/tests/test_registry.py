"""The registry end to end: activation only past the fairness gate (a deliberately biased model
is blocked, a fair one passes), rule versions only on a supervisor's sign-off after a dry-run,
cards generated from the registry, the built-in versions, and the commands."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command

from careloop.ai.builtin import CRISIS_TEXT_VERSION
from careloop.ai.cards import card_of, markdown
from careloop.ai.models import ModelVersion
from careloop.ai.report import audit_html
from careloop.ai.selectors.registry import (
    active_version,
    card_for,
    facts_of,
    model_version_for,
    model_versions_for,
)
from careloop.ai.services.evaluation import audit_version, dry_run_rules
from careloop.ai.services.registry import GateBlocked, activate_version, register_version
from careloop.ai.stepped_care.rules import DEFAULT_RULES
from careloop.ai.tests.conftest import add_questionnaire, make_version, phq9
from careloop.ai.types import ModelKind, ModelStatus
from careloop.audit.models import AuditEvent
from careloop.audit.types import AuditAction
from careloop.core.errors import InvalidInput, NotFound, PermissionDenied


def _held_out(
    sensitivity_by_group: dict[str, float], n: int = 400, seed: int = 1
) -> list[list[Any]]:
    """Held-out rows where, in each group, half are positives and `sensitivity` of them score
    0.9 (flagged) and the rest 0.1; negatives all score 0.1."""
    rng = np.random.default_rng(seed)
    rows = []
    for group, sensitivity in sensitivity_by_group.items():
        for i in range(n):
            positive = i % 2 == 0
            flagged = positive and rng.random() < sensitivity
            groups = {"gender": group, "ethnicity": "white", "age_band": "25_34"}
            rows.append([positive, 0.9 if flagged else 0.1, groups, True])
    return rows


def _draft(service, version: str, held_out: list[list[Any]]) -> ModelVersion:
    row = make_version(service.id, version, gate={}, phq9_change=1.0)
    ModelVersion.objects.filter(id=row.id).update(held_out=held_out)
    row.refresh_from_db()
    return row


def test_the_gate_blocks_a_deliberately_biased_model_and_the_refusal_is_audited(service, sam):
    biased = _draft(service, "biased", _held_out({"female": 0.9, "male": 0.6}))
    audit = audit_version(biased, n_bootstrap=200)
    assert audit["blocked"] and audit["gate"]["gender"]["blocked"]
    assert "between female and male" in audit["gate"]["gender"]["explanation"]

    with pytest.raises(GateBlocked, match="gender"):
        activate_version(sam, ModelVersion.objects.get(id=biased.id))

    assert ModelVersion.objects.get(id=biased.id).status == ModelStatus.DRAFT
    assert AuditEvent.objects.filter(action=AuditAction.AI_MODEL_ACTIVATION_REFUSED).count() == 1
    assert active_version(service.id, ModelKind.EARLY_WARNING) is None


def test_the_gate_passes_a_fair_model_which_then_replaces_the_one_in_use(service, sam, cleo):
    first = activate_version(sam, make_version(service.id, "first"))
    fair = _draft(service, "fair", _held_out({"female": 0.8, "male": 0.8}))
    assert not audit_version(fair, n_bootstrap=200)["blocked"]

    activated = activate_version(cleo, ModelVersion.objects.get(id=fair.id))

    assert activated.status == ModelStatus.ACTIVE and activated.activated_by == cleo
    assert ModelVersion.objects.get(id=first.id).status == ModelStatus.RETIRED
    assert active_version(service.id, ModelKind.EARLY_WARNING) == activated
    event = AuditEvent.objects.filter(action=AuditAction.AI_MODEL_ACTIVATED).last()
    assert event.detail["retired"] == ["first"]


def test_a_version_without_an_audit_or_by_the_wrong_person_is_not_switched_on(
    service, ben, sam, dana
):
    unaudited = make_version(service.id, "unaudited", gate={})
    with pytest.raises(GateBlocked, match="no fairness audit"):
        activate_version(sam, unaudited)
    with pytest.raises(PermissionDenied):
        activate_version(ben, make_version(service.id, "by-ben"))
    with pytest.raises(InvalidInput):
        activate_version(sam, activate_version(sam, make_version(service.id, "twice")))


def test_rule_versions_need_a_dry_run_and_a_supervisors_sign_off(
    service, ada_patient, ben, sam, cleo
):
    from careloop.care.models import TreatmentEpisode
    from careloop.care.types import EpisodeEnding

    episode = TreatmentEpisode.objects.create(
        service=service,
        patient=ada_patient,
        referred_on=date(2026, 1, 1),
        started_on=date(2026, 1, 5),
        ended_on=date(2026, 4, 1),
        ending=EpisodeEnding.COMPLETED,
    )
    for day, total in ((0, 14), (56, 13), (63, 13), (70, 13), (77, 12)):
        add_questionnaire(episode, day, "phq9", phq9(total))
        add_questionnaire(episode, day, "gad7", [2, 2, 1, 1, 1, 1, 1])
    earlier = json.loads(json.dumps(DEFAULT_RULES))
    earlier["version"] = "1.1.0"
    for rule in earlier["rules"]:
        if rule["moment"] == "review":
            rule["from_day"] = 56  # review from week 8 (CoCM: not responding by week 8)
    version = register_version(
        actor=None,
        service_id=service.id,
        kind=ModelKind.STEPPED_CARE_RULES,
        version="1.1.0",
        intended_use="x",
        training_data="none",
        provenance="test",
        limitations=[],
        parameters=earlier,
    )
    with pytest.raises(InvalidInput, match="Dry-run"):
        activate_version(sam, version)

    result = dry_run_rules(version)

    assert result["episodes"] == 1 and result["stepped_up"] == 1
    assert result["earlier_than_current"] == 1 and result["compared_with"] == "1.0.0"
    assert result["summary"].startswith("Version 1.1.0 would have stepped up 1 of 1")
    version.refresh_from_db()
    with pytest.raises(PermissionDenied):
        activate_version(cleo, version)  # the service admin does not sign off clinical rules
    with pytest.raises(PermissionDenied):
        activate_version(ben, version)
    signed = activate_version(sam, version)
    assert signed.status == ModelStatus.ACTIVE
    assert active_version(service.id, ModelKind.STEPPED_CARE_RULES) == signed
    event = AuditEvent.objects.filter(action=AuditAction.AI_MODEL_ACTIVATED).last()
    assert event.detail["signed_off"] is True
    assert AuditEvent.objects.filter(action=AuditAction.AI_RULES_DRY_RUN).exists()


def test_the_builtin_versions_are_in_the_registry_of_a_fresh_install(service):
    from careloop.safety.text.detector import DETECTOR_VERSION

    crisis = active_version(service.id, ModelKind.CRISIS_TEXT)
    rules = active_version(service.id, ModelKind.STEPPED_CARE_RULES)
    assert crisis is not None and crisis.service_id is None
    assert f"crisis-text@{CRISIS_TEXT_VERSION}" == DETECTOR_VERSION
    assert "PROVENANCE.md" in crisis.provenance and crisis.metrics["auroc"] == 0.868
    assert rules is not None and rules.parameters == DEFAULT_RULES


def test_cards_are_generated_from_the_registry_for_staff_only(service, ben, ada, dana):
    crisis = active_version(service.id, ModelKind.CRISIS_TEXT)
    card = card_for(ben, crisis.id)
    assert card.title == "Crisis-language detector, version 2.1.0"
    assert card.overall == [("AUROC (held-out)", "0.868"), ("Episodes held out", "2,048")]
    text = markdown(card)
    for heading in ("## Intended use", "## Training data", "## Limitations", "## Fairness gate"):
        assert heading in text
    assert "Not judged" in text
    with pytest.raises(NotFound):
        card_for(ada, crisis.id)  # patients do not read the registry
    assert not model_versions_for(ada).exists()
    own = make_version(service.id, "own")
    assert model_version_for(dana, own.id) == own


def test_a_trained_models_card_lists_its_inputs_and_groups():
    facts = {
        "kind": "early_warning",
        "kind_label": "Early warning of non-response",
        "version": "v",
        "status_label": "Draft (not in use)",
        "parameters": {"feature_names": ["phq9_change"], "coefficients": [0.8]},
        "metrics": {"auroc": 0.71, "n_test": 300},
        "calibration": [
            {"low": 0.0, "high": 0.1, "n": 12, "mean_predicted": 0.05, "observed": 0.1}
        ],
        "per_group": {
            "gender": {
                "female": {"n": 10, **{m: {"suppressed": "fewer than 30 people in the "
                           "denominator (n = 5)"} for m in ("sensitivity", "false_positive_rate",
                           "ppv", "ece")}},
            }
        },
        "gate": {"gender": {"blocked": False, "explanation": "Passed."}},
    }  # fmt: skip
    card = card_of(facts)
    assert card.inputs == [
        ("change in PHQ-9 since the start", "higher values raise the risk (weight +0.80 per SD)")
    ]
    assert card.calibration == [("0–10 %", 12, "5 %", "10 %")]
    assert card.per_group["gender"][0].cells["sensitivity"].startswith("not shown")


def test_the_audit_command_writes_json_and_an_html_report(service, tmp_path):
    _draft(service, "cmd", _held_out({"female": 0.8, "male": 0.8}, n=200))
    out = StringIO()
    html = tmp_path / "audit.html"
    call_command(
        "ai", "audit", "cmd", "--service", service.slug, "--html", str(html),
        "--bootstrap", "100", stdout=out,
    )  # fmt: skip
    audit = json.loads(out.getvalue())
    assert audit["blocked"] is False and audit["n_held_out"] == 400
    page = html.read_text()
    assert page.count('role="img"') >= 2 and "<caption>" in page
    assert "female" in page and "Passed" in page


def test_the_card_command_prints_markdown(service):
    out = StringIO()
    call_command("ai", "card", "1.0.0", "--kind", "stepped_care_rules", stdout=out)
    assert out.getvalue().startswith("# Stepped-care suggestion rules, version 1.0.0")


def test_the_report_draws_no_suppressed_group():
    audit = {
        "model": {"kind": "early_warning", "version": "v", "status": "draft"},
        "n_held_out": 10,
        "policy": {"metric": "sensitivity", "max_gap": 0.05},
        "metrics": {},
        "calibration": [],
        "blocked": False,
        "gate": {"gender": {"explanation": "Passed."}},
        "per_group": {
            "gender": {
                "tiny": {"n": 3, **{m: {"value": None, "suppressed": "fewer than 30"}
                         for m in ("sensitivity", "false_positive_rate", "ppv", "ece")}},
                "big": {"n": 90, **{m: {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6}
                        for m in ("sensitivity", "false_positive_rate", "ppv", "ece")}},
            }
        },
    }  # fmt: skip
    page = audit_html(audit)
    assert page.count("<circle") == 4  # big, once per metric; tiny never drawn
    assert "not shown (fewer than 30)" in page


def test_facts_of_a_version_round_trip_into_a_card(service):
    version = make_version(service.id, "facts")
    card = card_of(facts_of(version))
    assert card.status == "Draft (not in use)" and card.scope == "this service only"


def test_drift_check_is_stored_audited_and_flags_a_shift(service, ada_patient, time_machine):
    """Estimates made a while ago vs lately: the recent ones' PHQ-9 change moved far from the
    training data; the check is stored and audited."""
    from datetime import timedelta

    from careloop.ai.models import DriftCheck, Prediction
    from careloop.ai.services.evaluation import check_drift
    from careloop.care.models import TreatmentEpisode
    from careloop.core import clock

    version = make_version(service.id, "drifting", phq9_change=1.0)
    now = clock.now()
    for i in range(80):
        episode = TreatmentEpisode.objects.create(
            service=service,
            patient=ada_patient,
            referred_on=(now - timedelta(days=200)).date(),
            started_on=(now - timedelta(days=190)).date(),
        )
        recent = i >= 40
        Prediction.objects.create(
            service=service,
            patient=ada_patient,
            episode=episode,
            model_version=version,
            inputs={
                **dict.fromkeys(version.parameters["feature_names"], 0.0),
                "phq9_change": (3.0 if recent else 0.0) + (i % 5) * 0.1,
            },
            probability=0.5,
            band="higher",
            explanation=[],
            baseline_log_odds=0.0,
            as_of_day=20,
            made_at=now - timedelta(days=10 if recent else 120),
        )
    check = check_drift(version, window_days=90)
    assert check.flagged and DriftCheck.objects.get() == check
    assert any(flag.startswith("change in PHQ-9 since the start") for flag in check.flags)
    assert check.reference["n"] == 40 and check.recent["n"] == 40
    assert AuditEvent.objects.filter(action=AuditAction.AI_DRIFT_CHECKED).count() == 1


def test_register_rules_and_dry_run_commands(service, tmp_path):
    rules = json.loads(json.dumps(DEFAULT_RULES))
    rules["version"] = "2.0.0"
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    out = StringIO()
    call_command("ai", "register-rules", str(path), "--service", service.slug, stdout=out)
    assert "stored as a draft" in out.getvalue()
    out = StringIO()
    call_command("ai", "dry-run", "2.0.0", "--service", service.slug, stdout=out)
    assert out.getvalue().startswith("Version 2.0.0 would have stepped up 0 of 0 past patients")
    rules["rules"][0]["all"][0]["op"] = "=>"
    path.write_text(json.dumps(rules | {"version": "2.0.1"}))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown fact or operator"):
        call_command("ai", "register-rules", str(path), "--service", service.slug)


def test_the_demo_gets_the_synthetic_reference_model_switched_on_by_its_supervisor(service, sam):
    from careloop.ai.early_warning.logistic import LogisticModel
    from careloop.ai.services.demo import install_demo_model_for_seed, reference_model

    version = install_demo_model_for_seed(sam)
    assert version.status == ModelStatus.ACTIVE and version.activated_by == sam
    assert "SYNTHETIC" in version.training_data and "synthetic" in version.provenance.lower()
    assert install_demo_model_for_seed(sam) == version  # idempotent
    model = LogisticModel.from_json(version.parameters)
    assert model.coefficients == tuple(reference_model()["parameters"]["coefficients"])
    # no change in PHQ-9 or GAD-7 after three weeks: a clearly higher risk than a 6-point fall
    flat = dict.fromkeys(model.feature_names, 0.0) | {
        "phq9_baseline": 15.0, "gad7_baseline": 13.0, "weeks_observed": 3.0, "completion": 1.0,
        "checkin_mood": 5.0,
    }  # fmt: skip
    falling = flat | {"phq9_change": -6.0, "gad7_change": -4.0}
    as_row = model.feature_names
    assert model.probability([flat[n] for n in as_row]) > 0.5
    assert model.probability([falling[n] for n in as_row]) < 0.1
