"""Model cards, generated from the registry (pure): never written by hand.

`card_of(facts)` takes a registry row as a plain mapping (`ai.selectors.registry.facts_of`) and
returns a `ModelCard` whose sections a page renders as headings, lists and tables; `markdown`
renders the same card as text (for docs and the command line). Sections follow Mitchell et al.,
"Model Cards for Model Reporting" (2019): intended use, training data, method, metrics overall
and per group, calibration, limitations, plus the fairness gate and (for rules) the dry-run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from careloop.ai.early_warning.features import FEATURE_BY_NAME

METRIC_WORDS = {
    "sensitivity": "Sensitivity (of those not improving, share flagged)",
    "false_positive_rate": "False-positive rate (of those improving, share flagged)",
    "ppv": "Positive predictive value (of those flagged, share not improving)",
    "ece": "Calibration error (ECE)",
}
OVERALL_WORDS = {
    "auroc": "AUROC (held-out)",
    "brier": "Brier score (held-out)",
    "ece": "Calibration error, ECE (held-out)",
    "ece_before_calibration": "ECE before calibration",
    "prevalence_test": "Share not improving (held-out)",
    "n_train": "Episodes used to fit",
    "n_calibration": "Episodes used to calibrate",
    "n_test": "Episodes held out",
    "auroc_continued": "AUROC, held-out episodes still in treatment after week 4",
    "ece_continued": "ECE, held-out episodes still in treatment after week 4",
    "n_test_continued": "Held-out episodes still in treatment after week 4",
}


@dataclass(frozen=True)
class GroupRow:
    group: str
    n: int
    cells: dict[str, str]  # metric -> "72 % (61-81)" or "not shown: fewer than 30"


@dataclass(frozen=True)
class ModelCard:
    title: str
    status: str
    scope: str
    intended_use: str
    training_data: str
    provenance: str
    method: str
    inputs: list[tuple[str, str]]  # (plain label, direction in words)
    overall: list[tuple[str, str]]  # (metric in words, value)
    calibration: list[tuple[str, int, str, str]]  # (bin, n, mean predicted, observed)
    per_group: dict[str, list[GroupRow]] = field(default_factory=dict)
    gate: list[str] = field(default_factory=list)
    limitations: list[str] = field(default_factory=list)
    dry_run: list[str] = field(default_factory=list)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.0f} %"


def _number(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key.startswith("n_"):
        return f"{int(value):,}"
    if key in ("prevalence_test",):
        return _pct(value)
    return f"{float(value):.3f}"


def _cell(result: Mapping[str, Any]) -> str:
    if result.get("suppressed"):
        return f"not shown: {result['suppressed']}"
    value, low, high = result.get("value"), result.get("ci_low"), result.get("ci_high")
    if value is None or low is None or high is None:
        return "–"
    return f"{value * 100:.1f} % ({low * 100:.1f}–{high * 100:.1f})"


def _inputs(parameters: Mapping[str, Any]) -> list[tuple[str, str]]:
    names = parameters.get("feature_names") or []
    coefficients = parameters.get("coefficients") or []
    rows = []
    for name, coefficient in zip(names, coefficients, strict=False):
        feature = FEATURE_BY_NAME.get(name)
        label = feature.label if feature else name
        if abs(coefficient) < 0.05:
            effect = "little effect"
        else:
            effect = "higher values raise the risk" if coefficient > 0 else "higher values lower it"
        rows.append((label, f"{effect} (weight {coefficient:+.2f} per SD)"))
    return rows


def _per_group(per_group: Mapping[str, Any]) -> dict[str, list[GroupRow]]:
    table: dict[str, list[GroupRow]] = {}
    for dimension, groups in per_group.items():
        table[dimension] = [
            GroupRow(
                group,
                int(figures.get("n", 0)),
                {metric: _cell(figures.get(metric, {})) for metric in METRIC_WORDS},
            )
            for group, figures in sorted(groups.items())
        ]
    return table


def _dry_run(result: Mapping[str, Any]) -> list[str]:
    if not result:
        return []
    return [str(result.get("summary", ""))] + [str(line) for line in result.get("notes", [])]


def card_of(facts: Mapping[str, Any]) -> ModelCard:
    metrics = facts.get("metrics") or {}
    overall = [(OVERALL_WORDS[k], _number(k, metrics[k])) for k in OVERALL_WORDS if k in metrics]
    calibration = [
        (
            f"{row['low'] * 100:.0f}–{row['high'] * 100:.0f} %",
            int(row["n"]),
            _pct(row.get("mean_predicted")),
            _pct(row.get("observed")),
        )
        for row in facts.get("calibration") or []
    ]
    gate = [
        f"{dimension}: {decision.get('explanation', '')}"
        for dimension, decision in sorted((facts.get("gate") or {}).items())
    ]
    return ModelCard(
        title=f"{facts['kind_label']}, version {facts['version']}",
        status=str(facts.get("status_label", facts.get("status", ""))),
        scope=str(facts.get("scope", "")),
        intended_use=str(facts.get("intended_use", "")),
        training_data=str(facts.get("training_data", "")),
        provenance=str(facts.get("provenance", "")),
        method=str(facts.get("method", "")),
        inputs=_inputs(facts.get("parameters") or {}),
        overall=overall,
        calibration=calibration,
        per_group=_per_group(facts.get("per_group") or {}),
        gate=gate or ["No fairness audit stored yet."],
        limitations=[str(item) for item in facts.get("limitations") or []],
        dry_run=_dry_run(facts.get("dry_run") or {}),
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def markdown(card: ModelCard) -> str:
    """The card as Markdown (same content as the page)."""
    out = [f"# {card.title}", "", f"Status: {card.status}; applies to {card.scope}.", ""]
    out += ["## Intended use", "", card.intended_use, ""]
    out += ["## Training data", "", card.training_data, "", f"Provenance: {card.provenance}", ""]
    if card.method:
        out += ["## Method", "", card.method, ""]
    if card.inputs:
        out += ["## Inputs", "", *_table(("Input", "Effect"), card.inputs), ""]
    if card.overall:
        out += ["## Performance", "", *_table(("Measure", "Value"), card.overall), ""]
    if card.calibration:
        out += ["## Calibration (held-out)", ""]
        out += _table(("Predicted", "Episodes", "Mean predicted", "Observed"), card.calibration)
        out.append("")
    for dimension, rows in card.per_group.items():
        out += [f"## By {dimension.replace('_', ' ')}", ""]
        header = ("Group", "n", *(METRIC_WORDS[m] for m in METRIC_WORDS))
        out += _table(header, [(r.group, r.n, *(r.cells[m] for m in METRIC_WORDS)) for r in rows])
        out.append("")
    out += ["## Fairness gate", "", *(f"- {line}" for line in card.gate), ""]
    if card.dry_run:
        out += ["## Dry-run on past episodes", "", *(f"- {line}" for line in card.dry_run), ""]
    out += ["## Limitations", "", *(f"- {line}" for line in card.limitations)]
    return "\n".join(out) + "\n"
