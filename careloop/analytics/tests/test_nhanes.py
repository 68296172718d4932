"""Acceptance check A: NHANES 2017–2018 PHQ-9 scored by Careloop reproduces the weighted figures.

Targets (issue #3; /work/shared/data/nhanes_2017_2018_phq9/PROVENANCE.md): adults aged >= 20 with
all nine items answered, n = 4,825, weights WTMEC2YR: PHQ-9 >= 10 in 8.5 % overall, 10.0 % of
women and 6.8 % of men (± 0.1 percentage points); bands 75.3 / 16.2 / 5.7 / 2.1 / 0.7 %.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from careloop.analytics.nhanes import (
    BAND_ORDER,
    NhanesFormatError,
    Respondent,
    item_answer,
    phq9_prevalence,
    read_respondents,
    score_adult_complete_cases,
)

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "nhanes_2017_2018_phq9"
PP = 0.1 / 100  # one tenth of a percentage point, as a share


@pytest.fixture(scope="module")
def respondents() -> list[Respondent]:
    return read_respondents(DATA / "DPQ_J.csv", DATA / "DEMO_J.csv")


def test_weighted_prevalence_of_phq9_10_or_more(respondents) -> None:
    figures = phq9_prevalence(score_adult_complete_cases(respondents))
    assert figures.n == 4825
    assert dict(figures.n_by_sex) == {"female": 2466, "male": 2359}
    assert figures.depression == pytest.approx(0.085, abs=PP)
    assert figures.depression_by_sex["female"] == pytest.approx(0.100, abs=PP)
    assert figures.depression_by_sex["male"] == pytest.approx(0.068, abs=PP)


def test_weighted_band_distribution(respondents) -> None:
    shares = phq9_prevalence(score_adult_complete_cases(respondents)).band_shares
    assert list(shares) == list(BAND_ORDER)
    expected = (0.753, 0.162, 0.057, 0.021, 0.007)  # minimal, mild, moderate, mod. severe, severe
    assert tuple(shares.values()) == pytest.approx(expected, abs=PP)
    assert sum(shares.values()) == pytest.approx(1.0)


def test_careloop_totals_equal_the_published_files_derived_totals(respondents) -> None:
    # The merged file's PHQ9_TOTAL (PROVENANCE.md) is filled exactly for the complete rows.
    with (DATA / "DPQ_J_DEMO_J_merged_with_scores.csv").open(newline="") as handle:
        derived = {
            int(r["SEQN"]): int(r["PHQ9_TOTAL"]) for r in csv.DictReader(handle) if r["PHQ9_TOTAL"]
        }
    scored = score_adult_complete_cases(respondents, min_age=0)
    assert len(scored) == len(derived) == 5068
    assert {s.respondent.seqn: s.result.total for s in scored} == derived


def test_refused_and_dont_know_are_unanswered_not_scores(respondents) -> None:
    with (DATA / "DPQ_J.csv").open(newline="") as handle:
        coded = {
            int(float(r["SEQN"])) for r in csv.DictReader(handle) if r["DPQ010"] in ("7.0", "9.0")
        }
    assert len(coded) == 8  # codebook: DPQ010 refused 4, don't know 4
    by_seqn = {r.seqn: r for r in respondents}
    assert all(by_seqn[seqn].answers[0] is None and not by_seqn[seqn].is_complete for seqn in coded)


@pytest.mark.parametrize(
    ("raw", "value"), [("0.0", 0), ("3.0", 3), ("2", 2), ("7.0", None), ("9.0", None), ("", None)]
)
def test_item_codes(raw: str, value: int | None) -> None:
    assert item_answer(raw) == value


@pytest.mark.parametrize("raw", ["4.0", "1.5", "-1"])
def test_codes_outside_the_codebook_are_refused(raw: str) -> None:
    with pytest.raises(NhanesFormatError):
        item_answer(raw)
