"""NHANES 2017–2018 PHQ-9 (DPQ_J) with demographics (DEMO_J): read, score with Careloop's
PHQ-9 scorer, and take survey-weighted shares. Pure: standard library and careloop.instruments
scoring only (no Django), so a norms or fairness module can reuse it.

Data: /work/shared/data/nhanes_2017_2018_phq9 (see its PROVENANCE.md). The files are CSV
conversions of the CDC SAS XPT files, with numbers written as floats ("1.0") and blanks for
missing values. Codebook (https://wwwn.cdc.gov/Nchs/Nhanes/2017-2018/DPQ_J.htm): each item is
0–3, 7 = refused, 9 = don't know, blank = missing. Refused and don't know are NOT answers, so
they become None (unanswered) before scoring; a respondent is a complete case when all nine
items are 0–3.

Weighted shares use the MEC exam weight WTMEC2YR (DPQ was asked in the MEC interview). Point
estimates only: the design variables SDMVPSU/SDMVSTRA would be needed for standard errors.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from careloop.instruments.scoring import ScoreResult, score
from careloop.instruments.scoring.phq9 import BANDS as PHQ9_BANDS

ITEM_COLUMNS = tuple(f"DPQ0{n}0" for n in range(1, 10))  # DPQ010 … DPQ090, PHQ-9 items 1–9
NOT_AN_ANSWER = {7: "refused", 9: "don't know"}  # DPQ_J codebook
SEX_CODES = {1: "male", 2: "female"}  # DEMO_J RIAGENDR
ADULT_AGE = 20  # NCHS Data Brief 303 reports adults aged 20 and over
BAND_ORDER = tuple(label for _, label in reversed(PHQ9_BANDS))  # minimal … severe


class NhanesFormatError(ValueError):
    """A value the codebook does not allow."""


@dataclass(frozen=True)
class Respondent:
    seqn: int
    answers: tuple[int | None, ...]  # PHQ-9 items 1–9; None = blank, refused or don't know
    sex: str | None
    age_years: int | None
    exam_weight: float

    @property
    def is_complete(self) -> bool:
        return None not in self.answers


@dataclass(frozen=True)
class ScoredRespondent:
    respondent: Respondent
    result: ScoreResult


@dataclass(frozen=True)
class Phq9Prevalence:
    """Survey-weighted PHQ-9 figures for complete cases (shares are 0–1)."""

    n: int
    n_by_sex: Mapping[str, int]
    depression: float  # PHQ-9 >= 10
    depression_by_sex: Mapping[str, float]
    band_shares: Mapping[str, float]


def item_answer(raw: str) -> int | None:
    """One DPQ item cell as a PHQ-9 response value: 0–3, or None for blank/refused/don't know."""
    if raw.strip() == "":
        return None
    number = float(raw)
    if not number.is_integer():
        raise NhanesFormatError(f"item value {raw!r} is not a whole number")
    value = int(number)
    if value in NOT_AN_ANSWER:
        return None
    if value not in range(4):
        raise NhanesFormatError(f"item value {raw!r} is not 0–3, 7 or 9")
    return value


def _optional_int(raw: str) -> int | None:
    return int(float(raw)) if raw.strip() else None


def read_respondents(dpq_csv: Path, demo_csv: Path) -> list[Respondent]:
    """Join DPQ_J to DEMO_J on SEQN (every DPQ respondent must be in DEMO)."""
    with demo_csv.open(newline="", encoding="utf-8") as handle:
        demographics = {int(float(row["SEQN"])): row for row in csv.DictReader(handle)}
    respondents = []
    with dpq_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            seqn = int(float(row["SEQN"]))
            demo = demographics.get(seqn)
            if demo is None:
                raise NhanesFormatError(f"SEQN {seqn} is in DPQ but not in DEMO")
            sex_code = _optional_int(demo["RIAGENDR"])
            respondents.append(
                Respondent(
                    seqn=seqn,
                    answers=tuple(item_answer(row[column]) for column in ITEM_COLUMNS),
                    sex=SEX_CODES.get(sex_code) if sex_code is not None else None,
                    age_years=_optional_int(demo["RIDAGEYR"]),
                    exam_weight=float(demo["WTMEC2YR"] or 0),
                )
            )
    return respondents


def score_adult_complete_cases(
    respondents: Iterable[Respondent], min_age: int = ADULT_AGE
) -> list[ScoredRespondent]:
    """Score every respondent aged ≥ min_age with all nine items answered, with Careloop's PHQ-9."""
    return [
        ScoredRespondent(respondent, score("phq9", list(respondent.answers)))
        for respondent in respondents
        if respondent.is_complete
        and respondent.age_years is not None
        and respondent.age_years >= min_age
    ]


def weighted_share(
    scored: Iterable[ScoredRespondent], predicate: Callable[[ScoredRespondent], bool]
) -> float:
    """Σ weight where predicate holds ÷ Σ weight (a weighted proportion, 0–1)."""
    total = hit = 0.0
    for item in scored:
        total += item.respondent.exam_weight
        if predicate(item):
            hit += item.respondent.exam_weight
    if total == 0:
        raise ValueError("no weight to take a share of")
    return hit / total


def phq9_prevalence(scored: list[ScoredRespondent]) -> Phq9Prevalence:
    """Weighted share with PHQ-9 ≥ 10 (caseness, Careloop's scorer), by sex, and per band."""
    by_sex = {sex: [s for s in scored if s.respondent.sex == sex] for sex in SEX_CODES.values()}
    return Phq9Prevalence(
        n=len(scored),
        n_by_sex={sex: len(group) for sex, group in by_sex.items()},
        depression=weighted_share(scored, _is_case),
        depression_by_sex={sex: weighted_share(group, _is_case) for sex, group in by_sex.items()},
        band_shares={band: weighted_share(scored, _in_band(band)) for band in BAND_ORDER},
    )


def _is_case(item: ScoredRespondent) -> bool:
    return bool(item.result.caseness)


def _in_band(band: str) -> Callable[[ScoredRespondent], bool]:
    return lambda item: item.result.band == band
