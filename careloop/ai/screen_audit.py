"""Audit of the two-step depression screen on NHANES 2017–2018: who does it miss?

The screen (clinical_spec.md §3, PHQ-2): ask the PHQ-2 (PHQ-9 items 1–2); a total ≥ 3 is a
positive screen and leads to the full PHQ-9; depression is then PHQ-9 ≥ 10. The reference standard
here is PHQ-9 ≥ 10 on all nine items (clinical_spec.md, PHQ-9 caseness). Because step two *is* the
PHQ-9, the two-step screen is positive exactly when PHQ-2 ≥ 3 **and** PHQ-9 ≥ 10, so:

- sensitivity = share of people with PHQ-9 ≥ 10 whose PHQ-2 is ≥ 3 (everyone else with PHQ-9 ≥ 10
  is missed: they never reach step two);
- specificity and PPV of the two-step screen are 1 by construction (no false positives), so we
  report the first step's instead: of those below 10, how many PHQ-2 still sends on to a PHQ-9
  (specificity of PHQ-2 ≥ 3), and of those it sends on, how many are ≥ 10 (PPV of PHQ-2 ≥ 3).

Population: NHANES 2017–2018 respondents aged ≥ 20 with all nine PHQ-9 items answered 0–3
(`analytics.nhanes`), weighted by WTMEC2YR, with the design's strata (SDMVSTRA) and PSUs (SDMVPSU)
for the CIs (`fairness.survey`: Taylor linearisation, Korn–Graubard, NCHS reliability flags).

Groups: race and Hispanic origin (RIDRETH3), sex as recorded by NHANES (RIAGENDR; the issue calls
the dimension gender), age band (20–39, 40–59, 60+, as NCHS Data Brief 303) and family income to
poverty ratio (INDFMPIR: < 1, 1 to < 2, 2 to < 4, ≥ 4, missing).

Pure: standard library, `analytics.nhanes` and `fairness` only.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careloop.ai.fairness.gate import Estimate, GatePolicy, evaluate_gate
from careloop.ai.fairness.survey import (
    DesignRow,
    Reliability,
    SurveyProportion,
    weighted_proportion,
)
from careloop.analytics.nhanes import (
    NhanesFormatError,
    read_respondents,
    score_adult_complete_cases,
)
from careloop.instruments.scoring import phq2, phq9, score

DPQ_FILE = "DPQ_J.csv"
DEMO_FILE = "DEMO_J.csv"
DEMO_COLUMNS = ("SEQN", "RIDRETH3", "INDFMPIR", "SDMVSTRA", "SDMVPSU", "WTMEC2YR")
# Careloop's own cut-offs (clinical_spec.md §3 and the PHQ-9 row of its table): 3 and 10.
PHQ2_POSITIVE = phq2.CASENESS_THRESHOLD  # PHQ-2 >= 3: positive screen, administer the PHQ-9
PHQ9_CASE = phq9.CASENESS_THRESHOLD  # PHQ-9 >= 10: caseness

RACE_ETHNICITY = {  # DEMO_J RIDRETH3 codebook
    1: "mexican_american",
    2: "other_hispanic",
    3: "non_hispanic_white",
    4: "non_hispanic_black",
    6: "non_hispanic_asian",
    7: "other_race_including_multiracial",
}
DIMENSIONS = ("race_ethnicity", "gender", "age_band", "income_to_poverty")
N_MEANS = (
    "unweighted number of respondents in the group with PHQ-9 >= 10 "
    "(the reference positives: the denominator of sensitivity)"
)


class ScreenAuditError(Exception):
    """The NHANES folder cannot be audited; the message says why, in plain words."""


@dataclass(frozen=True)
class AuditRow:
    """One adult complete case: the two scores, the groups and the survey design."""

    phq2: int
    phq9: int
    groups: Mapping[str, str]
    design: DesignRow


def age_band(age: int) -> str:
    if age < 40:
        return "20-39"
    if age < 60:
        return "40-59"
    return "60+"


def income_band(ratio: float | None) -> str:
    """INDFMPIR (0–5, top-coded at 5) in the four bands, or 'missing'."""
    if ratio is None:
        return "missing"
    if ratio < 1:
        return "<1"
    if ratio < 2:
        return "1-<2"
    if ratio < 4:
        return "2-<4"
    return ">=4"


def _number(raw: str, column: str, seqn: str) -> float | None:
    if raw.strip() == "":
        return None
    try:
        return float(raw)
    except ValueError as error:
        raise ScreenAuditError(
            f"{DEMO_FILE}: {column} of SEQN {seqn} is {raw!r}, not a number"
        ) from error


def _read_demographics(path: Path) -> dict[int, dict[str, float | None]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in DEMO_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ScreenAuditError(f"{DEMO_FILE} lacks the column(s) {', '.join(missing)}")
        table = {}
        for row in reader:
            values = {c: _number(row[c], c, row["SEQN"]) for c in DEMO_COLUMNS}
            seqn = values["SEQN"]
            if seqn is None:
                raise ScreenAuditError(f"{DEMO_FILE} has a row without SEQN")
            table[int(seqn)] = values
    return table


def load_audit_rows(directory: Path) -> list[AuditRow]:
    """Adults ≥ 20 with all nine items answered, with groups and design; clear errors otherwise."""
    if not directory.is_dir():
        raise ScreenAuditError(f"{directory} is not a folder")
    dpq, demo = directory / DPQ_FILE, directory / DEMO_FILE
    for path in (dpq, demo):
        if not path.is_file():
            raise ScreenAuditError(f"{path.name} is missing from {directory}")
    try:
        respondents = read_respondents(dpq, demo)
        demographics = _read_demographics(demo)
        scored = score_adult_complete_cases(respondents)
    except (NhanesFormatError, KeyError, ValueError, UnicodeDecodeError, csv.Error) as error:
        detail = f"column {error} is missing" if isinstance(error, KeyError) else str(error)
        raise ScreenAuditError(f"{directory} is not NHANES DPQ_J/DEMO_J data: {detail}") from error
    rows = []
    for item in scored:
        respondent = item.respondent
        demo_row = demographics[respondent.seqn]
        race = demo_row["RIDRETH3"]
        stratum, psu = demo_row["SDMVSTRA"], demo_row["SDMVPSU"]
        if stratum is None or psu is None or respondent.exam_weight <= 0:
            raise ScreenAuditError(
                f"SEQN {respondent.seqn} has no exam weight, stratum or PSU; "
                "the audit needs WTMEC2YR, SDMVSTRA and SDMVPSU for everyone"
            )
        assert respondent.age_years is not None  # complete adult cases have an age
        phq2_total = score("phq2", list(respondent.answers[:2])).total
        phq9_total = item.result.total
        assert isinstance(phq2_total, int) and isinstance(phq9_total, int)  # complete cases
        rows.append(
            AuditRow(
                phq2=phq2_total,
                phq9=phq9_total,
                groups={
                    "race_ethnicity": RACE_ETHNICITY.get(int(race), "unknown")
                    if race is not None
                    else "unknown",
                    "gender": respondent.sex or "unknown",
                    "age_band": age_band(respondent.age_years),
                    "income_to_poverty": income_band(demo_row["INDFMPIR"]),
                },
                design=DesignRow(respondent.exam_weight, int(stratum), int(psu)),
            )
        )
    if not rows:
        raise ScreenAuditError(f"{directory} has no adult with all nine PHQ-9 items answered")
    return rows


def _proportion_json(result: SurveyProportion) -> dict[str, Any]:
    def pct(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    return {
        "estimate": pct(result.estimate),
        "ci95": [pct(result.ci_low), pct(result.ci_high)],
        "standard_error": pct(result.standard_error),
        "n": result.n,
        "n_effective": None if result.n_effective is None else round(result.n_effective, 1),
        "degrees_of_freedom": result.degrees_of_freedom,
        "reliability": result.reliability.value,
        "reliability_reasons": list(result.reasons),
    }


@dataclass(frozen=True)
class GroupFigures:
    respondents: int
    sensitivity: SurveyProportion  # its n is the group's reference positives
    prevalence: SurveyProportion
    phq2_specificity: SurveyProportion
    phq2_ppv: SurveyProportion

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.sensitivity.n,
            "respondents": self.respondents,
            "sensitivity": _proportion_json(self.sensitivity),
            "prevalence": _proportion_json(self.prevalence),
            "phq2_step": {
                "specificity": _proportion_json(self.phq2_specificity),
                "ppv": _proportion_json(self.phq2_ppv),
            },
        }


def group_figures(
    rows: Sequence[AuditRow], member: Callable[[AuditRow], bool], phq2_cutoff: int = PHQ2_POSITIVE
) -> GroupFigures:
    """The group's figures, estimated as a domain of the whole sample (every PSU kept)."""
    design = [row.design for row in rows]
    inside = [member(row) for row in rows]
    case = [m and row.phq9 >= PHQ9_CASE for m, row in zip(inside, rows, strict=True)]
    not_case = [m and row.phq9 < PHQ9_CASE for m, row in zip(inside, rows, strict=True)]
    sent_on = [m and row.phq2 >= phq2_cutoff for m, row in zip(inside, rows, strict=True)]
    found = [c and s for c, s in zip(case, sent_on, strict=True)]  # positive on both steps
    stopped = [n and not s for n, s in zip(not_case, sent_on, strict=True)]
    return GroupFigures(
        respondents=sum(inside),
        sensitivity=weighted_proportion(design, found, case),
        prevalence=weighted_proportion(design, case, inside),
        phq2_specificity=weighted_proportion(design, stopped, not_case),
        phq2_ppv=weighted_proportion(design, found, sent_on),
    )


def _member_of(dimension: str, group: str) -> Callable[[AuditRow], bool]:
    return lambda row: row.groups[dimension] == group


def _gate_json(groups: Mapping[str, GroupFigures], policy: GatePolicy) -> dict[str, Any]:
    estimates = {
        name: Estimate(
            figures.sensitivity.estimate,
            figures.sensitivity.ci_low,
            figures.sensitivity.ci_high,
            suppressed=figures.sensitivity.reliability is Reliability.SUPPRESS,
        )
        for name, figures in groups.items()
    }
    decision = evaluate_gate(estimates, policy)
    return {
        "blocked": decision.blocked,
        "explanation": decision.explain(),
        "blocking_pairs": [
            {"groups": [g.group_a, g.group_b], "gap": round(g.gap, 4)} for g in decision.blocking
        ],
        "not_judged": list(decision.unjudged),
    }


def audit_two_step_screen(
    rows: Sequence[AuditRow], policy: GatePolicy | None = None, phq2_cutoff: int = PHQ2_POSITIVE
) -> dict[str, Any]:
    """The audit as a JSON-ready dict: overall, every group of every dimension, and the gate.

    `phq2_cutoff` is the first step's cut-off (Careloop's is 3; clinical_spec.md §3 names 2 as the
    more sensitive one).
    """
    if phq2_cutoff not in range(7):
        raise ValueError("the PHQ-2 cut-off is a total between 0 and 6")
    policy = policy or GatePolicy()
    groups: dict[str, dict[str, Any]] = {}
    gate: dict[str, Any] = {}
    for dimension in DIMENSIONS:
        names = sorted({row.groups[dimension] for row in rows})
        figures = {
            name: group_figures(rows, _member_of(dimension, name), phq2_cutoff) for name in names
        }
        groups[dimension] = {name: f.as_json() for name, f in figures.items()}
        gate[dimension] = _gate_json(figures, policy)
    k = phq2_cutoff
    return {
        "screen": f"PHQ-2 >= {k}, then PHQ-9; positive when PHQ-2 >= {k} and PHQ-9 >= 10",
        "phq2_cutoff": k,
        "reference": "PHQ-9 >= 10 (all nine items)",
        "population": (
            "NHANES 2017-2018 (DPQ_J, DEMO_J), adults aged >= 20 with all nine PHQ-9 items "
            "answered 0-3; survey-weighted by WTMEC2YR"
        ),
        "respondents": len(rows),
        "definitions": {
            "n": N_MEANS,
            "respondents": "unweighted number of respondents in the group",
            "sensitivity": f"weighted share of the group's PHQ-9 >= 10 with PHQ-2 >= {k}",
            "prevalence": "weighted share of the group with PHQ-9 >= 10",
            "phq2_step.specificity": f"weighted share of PHQ-9 < 10 with PHQ-2 < {k} "
            "(the two-step screen's own specificity and PPV are 1 by construction)",
            "phq2_step.ppv": f"weighted share of PHQ-2 >= {k} with PHQ-9 >= 10",
            "ci95": "Korn-Graubard 95 % CI from Taylor-linearised design-based variance "
            "(strata SDMVSTRA, PSUs SDMVPSU)",
            "reliability": "NCHS presentation standards for proportions: 'suppress' = do not "
            "present the figure, 'review' = present with a note",
        },
        "gate_policy": {
            "metric": policy.metric,
            "max_gap": policy.max_gap,
            "require_separate_cis": policy.require_separate_cis,
            "block_when_unjudged": policy.block_when_unjudged,
        },
        "overall": group_figures(rows, lambda row: True, phq2_cutoff).as_json(),
        "groups": groups,
        "gate": gate,
    }
