"""The operator's evaluations of a stored version: the fairness audit (`careloop ai audit`),
the rules' dry-run (`careloop ai dry-run`) and the drift check (`careloop ai drift`). Each
stores its result with the version (or as a DriftCheck) and is audited."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction

from careloop.ai.drift import as_json, drift
from careloop.ai.early_warning.features import FEATURE_BY_NAME
from careloop.ai.early_warning.training import HeldOut, fairness_of
from careloop.ai.fairness.gate import GatePolicy
from careloop.ai.models import DriftCheck, ModelVersion, Prediction
from careloop.ai.selectors.history import label_of_episode_for_system, past_episodes_for_system
from careloop.ai.selectors.registry import active_version
from careloop.ai.services.registry import store_dry_run, store_evaluation
from careloop.ai.stepped_care.dry_run import dry_run
from careloop.ai.stepped_care.rules import validate
from careloop.ai.types import ModelKind
from careloop.audit.services import record_event
from careloop.audit.types import AuditAction
from careloop.core import clock
from careloop.core.errors import InvalidInput

if TYPE_CHECKING:
    from careloop.accounts.models import User


def held_out_of(version: ModelVersion) -> list[HeldOut]:
    rows = []
    for item in version.held_out:
        label, probability, groups = item[0], item[1], item[2]
        continued = item[3] if len(item) > 3 else True
        rows.append(HeldOut(bool(label), float(probability), dict(groups), bool(continued)))
    return rows


def audit_version(
    version: ModelVersion,
    policy: GatePolicy | None = None,
    *,
    seed: int = 0,
    n_bootstrap: int = 1000,
    store: bool = True,
    actor: User | None = None,
) -> dict[str, Any]:
    """The fairness audit on the version's held-out predictions: per group (ethnicity, gender,
    age band, language, deprivation) sensitivity, FPR, PPV and ECE with bootstrap 95 % CIs and
    small-n suppression, and the gate per dimension. A draft's stored figures are replaced
    (the gate that activation reads); an active or retired version's are only reported."""
    if version.kind != ModelKind.EARLY_WARNING:
        raise InvalidInput("Only a model with held-out predictions can be audited this way.")
    held_out = held_out_of(version)
    if not held_out:
        raise InvalidInput("This version has no held-out predictions to audit.")
    policy = policy or GatePolicy()
    per_group, gate = fairness_of(held_out, policy, seed=seed, n_bootstrap=n_bootstrap)
    if store and version.status == "draft":
        store_evaluation(version, per_group=per_group, gate=gate, actor=actor)
    else:
        with transaction.atomic():
            record_event(
                actor=actor,
                action=AuditAction.AI_FAIRNESS_AUDITED,
                service_id=version.service_id,
                obj=("ai.ModelVersion", version.id),
                detail={"blocked": any(d["blocked"] for d in gate.values()), "stored": False},
            )
    return {
        "model": {"kind": version.kind, "version": version.version, "status": version.status},
        "n_held_out": len(held_out),
        "policy": {"metric": policy.metric, "max_gap": policy.max_gap},
        "metrics": version.metrics,
        "calibration": version.calibration,
        "per_group": per_group,
        "gate": gate,
        "blocked": any(decision["blocked"] for decision in gate.values()),
    }


def dry_run_rules(version: ModelVersion, *, actor: User | None = None) -> dict[str, Any]:
    """Try a rule version on the service's closed episodes against the version in use, and
    keep the result with it (a supervisor's sign-off needs one)."""
    if version.kind != ModelKind.STEPPED_CARE_RULES or version.service_id is None:
        raise InvalidInput("Dry-run a service's own stepped-care rule version.")
    validate(version.parameters)
    current = active_version(version.service_id, ModelKind.STEPPED_CARE_RULES)
    episodes = past_episodes_for_system(version.service_id)
    result = dry_run(
        version.parameters,
        current.parameters if current is not None and current.id != version.id else None,
        episodes,
    )
    store_dry_run(version, result, actor)
    return result


def check_drift(
    version: ModelVersion, *, window_days: int = 90, actor: User | None = None
) -> DriftCheck:
    """Compare the inputs of the estimates made in the last `window_days` with the window
    before (PSI) and with the training data (mean shift), and calibration in each window among
    episodes that have ended; store the result and audit it."""
    if version.kind != ModelKind.EARLY_WARNING or version.service_id is None:
        raise InvalidInput("Drift is checked for a service's early-warning model.")
    now = clock.now()
    recent_from, reference_from = (
        now - timedelta(days=window_days),
        now - timedelta(days=2 * window_days),
    )
    rows = list(
        Prediction.objects.filter(model_version=version, made_at__gte=reference_from)
        .select_related("patient")
        .order_by("made_at")
    )
    reference = [r for r in rows if r.made_at < recent_from]
    recent = [r for r in rows if r.made_at >= recent_from]
    calibration: dict[str, tuple[list[bool], list[float]]] = {}
    for key, window in (("reference", reference), ("recent", recent)):
        labels, probabilities = [], []
        for row in window:
            label = label_of_episode_for_system(row.patient, row.episode_id)
            if label is not None:
                labels.append(label)
                probabilities.append(row.probability)
        calibration[key] = (labels, probabilities)
    parameters = version.parameters
    names = parameters["feature_names"]
    report = drift(
        names,
        [r.inputs for r in reference],
        [r.inputs for r in recent],
        parameters["scaler"]["means"],
        parameters["scaler"]["scales"],
        calibration,
        {name: FEATURE_BY_NAME[name].label for name in names if name in FEATURE_BY_NAME},
    )
    result = as_json(report)
    with transaction.atomic():
        check = DriftCheck.objects.create(
            service_id=version.service_id,
            model_version=version,
            reference={"from": reference_from.isoformat(), "n": len(reference)},
            recent={"from": recent_from.isoformat(), "n": len(recent)},
            psi=result["psi"] | {"mean_shift": result["mean_shift"]},
            calibration=result["calibration"],
            flagged=report.flagged,
            flags=report.flags,
        )
        record_event(
            actor=actor,
            action=AuditAction.AI_DRIFT_CHECKED,
            service_id=version.service_id,
            obj=("ai.DriftCheck", check.id),
            detail={"version": version.version, "flagged": report.flagged},
        )
    return check
