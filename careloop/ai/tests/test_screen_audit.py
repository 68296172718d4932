"""`careloop ai audit-screen` on the real NHANES 2017–2018 files, checked against a computation
written here from the CSVs with plain loops and NumPy (not through careloop.ai or analytics.nhanes),
and its messages and exit codes for bad input.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from careloop.core.cli import main

Row = dict[str, Any]
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "nhanes_2017_2018_phq9"
ROUNDED = 6e-5  # the command prints shares to 4 decimals
RACE = {
    "1": "mexican_american",
    "2": "other_hispanic",
    "3": "non_hispanic_white",
    "4": "non_hispanic_black",
    "6": "non_hispanic_asian",
    "7": "other_race_including_multiracial",
}


def _code(raw: str) -> str:
    return str(int(float(raw))) if raw.strip() else ""


def _independent_rows() -> list[Row]:
    """Adults >= 20 with all nine items 0-3, straight from DPQ_J.csv and DEMO_J.csv."""
    with (DATA / "DEMO_J.csv").open(newline="", encoding="utf-8") as handle:
        demo = {_code(row["SEQN"]): row for row in csv.DictReader(handle)}
    rows = []
    with (DATA / "DPQ_J.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            items = [row[f"DPQ0{i}0"].strip() for i in range(1, 10)]
            if any(value not in {"0.0", "1.0", "2.0", "3.0"} for value in items):
                continue
            person = demo[_code(row["SEQN"])]
            if float(person["RIDAGEYR"]) < 20:
                continue
            scores = [int(float(value)) for value in items]
            age = float(person["RIDAGEYR"])
            pir = person["INDFMPIR"].strip()
            if not pir:
                income = "missing"
            else:
                ratio = float(pir)
                income = (
                    "<1" if ratio < 1 else "1-<2" if ratio < 2 else "2-<4" if ratio < 4 else ">=4"
                )
            rows.append(
                {
                    "phq9": sum(scores),
                    "phq2": scores[0] + scores[1],
                    "w": float(person["WTMEC2YR"]),
                    "stratum": _code(person["SDMVSTRA"]),
                    "psu": _code(person["SDMVPSU"]),
                    "race_ethnicity": RACE[_code(person["RIDRETH3"])],
                    "gender": {"1": "male", "2": "female"}[_code(person["RIAGENDR"])],
                    "age_band": "20-39" if age < 40 else "40-59" if age < 60 else "60+",
                    "income_to_poverty": income,
                }
            )
    return rows


def _sensitivity(rows: list[Row], cutoff: int = 3) -> tuple[int, float]:
    cases = [r for r in rows if r["phq9"] >= 10]
    found = sum(r["w"] for r in cases if r["phq2"] >= cutoff)
    return len(cases), found / sum(r["w"] for r in cases)


def _linearised_se(rows: list[Row], member) -> float:
    """Delta method for R = Y/X from PSU totals: Σ_h m/(m−1) Σ_i (z_hi − z̄_h)², z = (Y − R X)/X."""
    y_tot: dict[tuple[str, str], float] = defaultdict(float)
    x_tot: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        key = (r["stratum"], r["psu"])
        x = member(r) and r["phq9"] >= 10
        y_tot[key] += r["w"] * (x and r["phq2"] >= 3)
        x_tot[key] += r["w"] * x
    big_y, big_x = sum(y_tot.values()), sum(x_tot.values())
    ratio = big_y / big_x
    variance = 0.0
    for stratum in {s for s, _ in x_tot}:
        z = np.array([(y_tot[k] - ratio * x_tot[k]) / big_x for k in x_tot if k[0] == stratum])
        variance += len(z) / (len(z) - 1) * float(((z - z.mean()) ** 2).sum())
    return variance**0.5


def _jackknife_se(rows: list[Row]) -> float:
    """JK2 replicates (drop one PSU of a stratum, double its pair): a different variance method."""
    strata = sorted({r["stratum"] for r in rows})
    full = _sensitivity(rows)[1]
    total = 0.0
    for stratum in strata:
        replicate = []
        for r in rows:
            if r["stratum"] == stratum:
                if r["psu"] == "1":
                    continue
                r = {**r, "w": 2 * r["w"]}
            replicate.append(r)
        total += (_sensitivity(replicate)[1] - full) ** 2
    return total**0.5


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    return _independent_rows()


@pytest.fixture(scope="module")
def audit() -> dict[str, Any]:
    return _run_json(["ai", "audit-screen", "--nhanes", str(DATA)])


def _run_json(argv: list[str]) -> dict[str, Any]:
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        main(argv)
    return json.loads(out.getvalue())


def test_population_matches_the_provenance_figures(audit, rows) -> None:
    assert audit["respondents"] == len(rows) == 4825  # PROVENANCE.md: n = 4,825
    assert audit["overall"]["prevalence"]["estimate"] == pytest.approx(0.085, abs=0.001)


def test_overall_sensitivity_equals_the_independent_computation(audit, rows) -> None:
    n, sensitivity = _sensitivity(rows)
    overall = audit["overall"]
    assert overall["n"] == overall["sensitivity"]["n"] == n == 437
    assert overall["sensitivity"]["estimate"] == pytest.approx(sensitivity, abs=ROUNDED)
    assert overall["sensitivity"]["estimate"] == pytest.approx(0.632, abs=0.001)


@pytest.mark.parametrize("dimension", ["race_ethnicity", "gender", "age_band", "income_to_poverty"])
def test_every_group_equals_the_independent_computation(audit, rows, dimension) -> None:
    groups = sorted({r[dimension] for r in rows})
    assert sorted(audit["groups"][dimension]) == groups
    for group in groups:
        members = [r for r in rows if r[dimension] == group]
        n, sensitivity = _sensitivity(members)
        figures = audit["groups"][dimension][group]
        assert figures["n"] == n, group
        assert figures["respondents"] == len(members), group
        assert figures["sensitivity"]["estimate"] == pytest.approx(sensitivity, abs=ROUNDED)
        se = _linearised_se(rows, lambda r, d=dimension, g=group: r[d] == g)
        assert figures["sensitivity"]["standard_error"] == pytest.approx(se, abs=ROUNDED)
        low, high = figures["sensitivity"]["ci95"]
        assert low <= figures["sensitivity"]["estimate"] <= high


def test_standard_error_agrees_with_a_jackknife(audit, rows) -> None:
    se = audit["overall"]["sensitivity"]["standard_error"]
    assert se == pytest.approx(_linearised_se(rows, lambda r: True), abs=ROUNDED)
    assert se == pytest.approx(_jackknife_se(rows), rel=0.10)


def test_small_groups_are_flagged_and_the_gate_does_not_judge_them(audit) -> None:
    asian = audit["groups"]["race_ethnicity"]["non_hispanic_asian"]
    assert asian["n"] == 25
    assert asian["sensitivity"]["reliability"] == "suppress"
    assert any("fewer than 30" in reason for reason in asian["sensitivity"]["reliability_reasons"])
    assert "non_hispanic_asian" in audit["gate"]["race_ethnicity"]["not_judged"]
    assert audit["overall"]["sensitivity"]["reliability"] == "ok"


def test_phq2_step_figures(audit, rows) -> None:
    negatives = [r for r in rows if r["phq9"] < 10]
    specificity = sum(r["w"] for r in negatives if r["phq2"] < 3) / sum(r["w"] for r in negatives)
    sent_on = [r for r in rows if r["phq2"] >= 3]
    ppv = sum(r["w"] for r in sent_on if r["phq9"] >= 10) / sum(r["w"] for r in sent_on)
    step = audit["overall"]["phq2_step"]
    assert step["specificity"]["estimate"] == pytest.approx(specificity, abs=ROUNDED)
    assert step["ppv"]["estimate"] == pytest.approx(ppv, abs=ROUNDED)


def test_the_more_sensitive_cutoff_2(rows) -> None:
    lower = _run_json(["ai", "audit-screen", "--nhanes", str(DATA), "--phq2-cutoff", "2"])
    assert lower["phq2_cutoff"] == 2
    assert lower["screen"].startswith("PHQ-2 >= 2, then PHQ-9")
    n, sensitivity = _sensitivity(rows, cutoff=2)
    assert lower["overall"]["n"] == n
    assert lower["overall"]["sensitivity"]["estimate"] == pytest.approx(sensitivity, abs=ROUNDED)
    assert lower["overall"]["sensitivity"]["estimate"] == pytest.approx(0.885, abs=0.001)
    men = [r for r in rows if r["gender"] == "male"]
    assert lower["groups"]["gender"]["male"]["sensitivity"]["estimate"] == pytest.approx(
        _sensitivity(men, cutoff=2)[1], abs=ROUNDED
    )


def test_a_gap_alone_blocks_when_asked(audit) -> None:
    strict = _run_json(
        ["ai", "audit-screen", "--nhanes", str(DATA), "--max-gap", "1", "--gap-alone-blocks"]
    )
    assert strict["gate_policy"] == {
        "metric": "sensitivity",
        "max_gap": 0.01,
        "require_separate_cis": False,
        "block_when_unjudged": False,
    }
    assert strict["gate"]["gender"]["blocked"]  # women 60.9 % vs men 66.8 %
    assert not audit["gate"]["gender"]["blocked"]  # by default: their CIs overlap


def _fails(argv: list[str], capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    code = exit_info.value.code
    assert isinstance(code, int)
    return code, capsys.readouterr().err


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "nhanes"
    folder.mkdir()
    for name in ("DPQ_J.csv", "DEMO_J.csv"):
        shutil.copyfile(DATA / name, folder / name)
    return folder


def test_missing_folder(tmp_path, capsys) -> None:
    code, err = _fails(["ai", "audit-screen", "--nhanes", str(tmp_path / "nowhere")], capsys)
    assert code == 1
    assert "nowhere is not a folder" in err


def test_missing_file(tmp_path, capsys) -> None:
    folder = _copy(tmp_path)
    (folder / "DEMO_J.csv").unlink()
    code, err = _fails(["ai", "audit-screen", "--nhanes", str(folder)], capsys)
    assert code == 1
    assert "DEMO_J.csv is missing from" in err


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: "hello,world\n1,2\n", "column 'SEQN' is missing"),
        (
            lambda text: text.replace("\n", "\n", 1).replace(",0.0,", ",5.0,", 1),
            "item value '5.0' is not 0–3, 7 or 9",
        ),
    ],
    ids=["not NHANES at all", "an item value the codebook does not allow"],
)
def test_bad_dpq_file(tmp_path, capsys, damage, message) -> None:
    folder = _copy(tmp_path)
    path = folder / "DPQ_J.csv"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    code, err = _fails(["ai", "audit-screen", "--nhanes", str(folder)], capsys)
    assert code == 1
    assert "is not NHANES DPQ_J/DEMO_J data" in err
    assert message in err


def test_demographics_without_the_design_columns(tmp_path, capsys) -> None:
    folder = _copy(tmp_path)
    path = folder / "DEMO_J.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("SDMVPSU", "SOMETHING", 1), encoding="utf-8"
    )
    code, err = _fails(["ai", "audit-screen", "--nhanes", str(folder)], capsys)
    assert code == 1
    assert "DEMO_J.csv lacks the column(s) SDMVPSU" in err


def test_usage_errors(capsys) -> None:
    code, err = _fails(["ai", "audit-screen"], capsys)
    assert code == 2
    assert "--nhanes" in err
    code, err = _fails(["ai", "audit-screen", "--nhanes", str(DATA), "--max-gap", "500"], capsys)
    assert code == 1
    assert "percentage points" in err
    code, err = _fails(["ai", "audit-screen", "--nhanes", str(DATA), "--phq2-cutoff", "7"], capsys)
    assert code == 2
    assert "invalid choice" in err
