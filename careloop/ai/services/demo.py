"""An early-warning model for the demo service, which has too few closed episodes to train its
own: the reference model trained on the 10,000-patient SYNTHETIC population
(`ai/data/synthetic_reference.json`, packaged as data, written from `careloop ai train --service
synthetic-s11-p10000-w12-20261130`; figures in docs/ai/early-warning.md), registered in the
demo service with that provenance and switched on by its supervisor (through the gate, audited).

For `careloop seed --demo` only: a real service trains on its own episodes.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careloop.ai.models import ModelVersion
from careloop.ai.services.registry import activate_version, register_version
from careloop.ai.types import ModelKind, ModelStatus

if TYPE_CHECKING:
    from careloop.accounts.models import User

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "synthetic_reference.json"
DEMO_VERSION = "synthetic-reference-1"


@cache
def reference_model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


def install_demo_model_for_seed(supervisor: User) -> ModelVersion:
    """Register the synthetic reference model in the supervisor's (demo) service and switch it
    on. Idempotent: an existing version of that name is returned as it is."""
    existing = ModelVersion.objects.filter(
        service=supervisor.service_id, kind=ModelKind.EARLY_WARNING, version=DEMO_VERSION
    ).first()
    if existing is not None:
        return existing
    data = reference_model()
    source = data["source"]
    version = register_version(
        actor=supervisor,
        service_id=supervisor.service_id,
        kind=ModelKind.EARLY_WARNING,
        version=DEMO_VERSION,
        intended_use=data["intended_use"],
        training_data=data["training_data"]
        + f" Copied into the demo service from {source['service']} version {source['version']}.",
        provenance=data["provenance"],
        limitations=[
            *data["limitations"],
            "Demo only: trained on another (synthetic) service, not on this service's patients.",
        ],
        method=data["method"],
        parameters=data["parameters"],
        metrics=data["metrics"],
        per_group=data["per_group"],
        calibration=data["calibration"],
        gate=data["gate"],
    )
    if version.status == ModelStatus.DRAFT:
        version = activate_version(supervisor, version)
    return version
