"""Survey-weighted proportions with design-based 95 % CIs, for complex samples such as NHANES.

A proportion in a domain (a group, or "those with PHQ-9 ≥ 10 in a group") is the ratio
p = Σ w·d·y / Σ w·d·x, with y ⊆ x both 0/1 and d the domain indicator.

Variance: Taylor linearisation of the ratio with the design's strata and primary sampling units,
with-replacement approximation at the first stage (the NHANES tutorials' recommendation for
SDMVSTRA/SDMVPSU): u_j = d_j w_j (y_j − p x_j) / Σ w d x, U_hi = Σ_{j in PSU hi} u_j,
V(p) = Σ_h m_h/(m_h − 1) Σ_i (U_hi − Ū_h)². Every PSU of the analysed sample takes part even where
the domain has no one in it (domain estimation, not subsetting).

Interval: Korn–Graubard (Korn & Graubard 1998), which NCHS uses for proportions (Parker et al.,
"NCHS Data Presentation Standards for Proportions", Vital Health Stat 2(175), 2017):
effective size n* = p(1 − p)/V (at most n; n when p is 0 or 1 or V is 0), adjusted for the design's
degrees of freedom n*_df = n* · (t_{0.975, n−1} / t_{0.975, df})², then the Clopper–Pearson interval
for p·n*_df successes in n*_df trials. df = PSUs − strata among the domain's members (the NHANES
tutorials' rule).

Reliability flags (Parker et al. 2017, as we read them; the thresholds are quoted from the
standard's summary and are UNVERIFIED against the report's text in this repository):
suppress when n < 30 or n* < 30, when the CI is 30 percentage points wide or more, or when it is
wider than 5 points and its relative width (width ÷ p) is above 130 %; statistical review when
the same relative width taken for 1 − p is above 130 % (a share near 100 %), when df < 8, or when
p is 0 or 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from careloop.ai.fairness.distributions import clopper_pearson, t_ppf

MIN_SAMPLE_SIZE = 30  # n and effective n (Parker et al. 2017)
MAX_ABSOLUTE_WIDTH = 0.30
RELATIVE_WIDTH_FROM = 0.05  # the relative-width rule applies above this absolute width
MAX_RELATIVE_WIDTH = 1.30
MIN_DEGREES_OF_FREEDOM = 8


class Reliability(StrEnum):
    OK = "ok"
    REVIEW = "review"  # present with a note; a statistician should look (df < 8, p = 0 or 1)
    SUPPRESS = "suppress"  # do not present the figure


@dataclass(frozen=True)
class DesignRow:
    """One respondent: weight and design (stratum, PSU within stratum)."""

    weight: float
    stratum: int
    psu: int


@dataclass(frozen=True)
class SurveyProportion:
    estimate: float | None  # None when the domain has no weight in the denominator
    ci_low: float | None
    ci_high: float | None
    standard_error: float | None
    n: int  # unweighted members of the denominator (x = 1 and in the domain)
    n_effective: float | None
    degrees_of_freedom: int
    reliability: Reliability
    reasons: tuple[str, ...] = field(default=())


def weighted_proportion(
    design: Sequence[DesignRow],
    numerator: Sequence[bool],
    denominator: Sequence[bool],
    confidence: float = 0.95,
) -> SurveyProportion:
    """p = Σ w [numerator] / Σ w [denominator] over the rows (numerator implies denominator).

    `design` is the whole analysed sample (all PSUs); restrict to a group by passing False in
    `denominator` for everyone outside it.
    """
    if not len(design) == len(numerator) == len(denominator):
        raise ValueError("design, numerator and denominator differ in length")
    if any(y and not x for y, x in zip(numerator, denominator, strict=True)):
        raise ValueError("a numerator member is outside the denominator")
    n = sum(denominator)
    total = sum(row.weight for row, x in zip(design, denominator, strict=True) if x)
    df = _domain_degrees_of_freedom(design, denominator)
    if n == 0 or total <= 0:
        return SurveyProportion(
            None, None, None, None, n, None, df, Reliability.SUPPRESS, ("no one in the group",)
        )
    hit = sum(row.weight for row, y in zip(design, numerator, strict=True) if y)
    p = hit / total
    variance = _linearised_variance(design, numerator, denominator, p, total)
    n_effective = _effective_size(p, variance, n)
    low, high = _korn_graubard(p, n_effective, n, df, confidence)
    reliability, reasons = nchs_reliability(p, low, high, n, n_effective, df)
    return SurveyProportion(
        estimate=p,
        ci_low=low,
        ci_high=high,
        standard_error=math.sqrt(variance),
        n=n,
        n_effective=n_effective,
        degrees_of_freedom=df,
        reliability=reliability,
        reasons=reasons,
    )


def _linearised_variance(
    design: Sequence[DesignRow],
    numerator: Sequence[bool],
    denominator: Sequence[bool],
    p: float,
    total: float,
) -> float:
    psu_totals: dict[tuple[int, int], float] = {}
    for row, y, x in zip(design, numerator, denominator, strict=True):
        key = (row.stratum, row.psu)
        residual = row.weight * (float(y) - p * float(x)) / total if x else 0.0
        psu_totals[key] = psu_totals.get(key, 0.0) + residual
    by_stratum: dict[int, list[float]] = defaultdict(list)
    for (stratum, _psu), value in psu_totals.items():
        by_stratum[stratum].append(value)
    variance = 0.0
    for values in by_stratum.values():
        m = len(values)
        if m < 2:
            continue  # a single-PSU stratum adds nothing (NHANES has two PSUs per stratum)
        mean = sum(values) / m
        variance += m / (m - 1) * sum((value - mean) ** 2 for value in values)
    return variance


def _domain_degrees_of_freedom(design: Sequence[DesignRow], members: Sequence[bool]) -> int:
    psus = {(row.stratum, row.psu) for row, x in zip(design, members, strict=True) if x}
    strata = {stratum for stratum, _ in psus}
    return len(psus) - len(strata)


def _effective_size(p: float, variance: float, n: int) -> float:
    if p in (0.0, 1.0) or variance <= 0:
        return float(n)
    return min(float(n), p * (1 - p) / variance)


def _korn_graubard(
    p: float, n_effective: float, n: int, df: int, confidence: float
) -> tuple[float, float]:
    quantile = 1 - (1 - confidence) / 2
    trials = n_effective
    if df > 0 and n > 1:
        trials = n_effective * (t_ppf(quantile, n - 1) / t_ppf(quantile, df)) ** 2
    return clopper_pearson(p * trials, trials, confidence)


def nchs_reliability(
    p: float, low: float, high: float, n: int, n_effective: float, df: int
) -> tuple[Reliability, tuple[str, ...]]:
    """Suppress or review per the NCHS presentation standards for proportions (see module doc)."""
    suppress: list[str] = []
    review: list[str] = []
    width = high - low
    if n < MIN_SAMPLE_SIZE:
        suppress.append(f"fewer than {MIN_SAMPLE_SIZE} people in the denominator (n = {n})")
    if n_effective < MIN_SAMPLE_SIZE:
        suppress.append(f"effective sample size {n_effective:.1f} is below {MIN_SAMPLE_SIZE}")
    if width >= MAX_ABSOLUTE_WIDTH:
        suppress.append(f"CI is {width * 100:.1f} percentage points wide (limit 30)")
    elif width > RELATIVE_WIDTH_FROM and p > 0 and width / p > MAX_RELATIVE_WIDTH:
        suppress.append(f"CI relative width {width / p * 100:.0f} % is above 130 %")
    elif width > RELATIVE_WIDTH_FROM and p < 1 and width / (1 - p) > MAX_RELATIVE_WIDTH:
        review.append(f"CI relative width for 1 − p is {width / (1 - p) * 100:.0f} % (above 130 %)")
    if df < MIN_DEGREES_OF_FREEDOM:
        review.append(f"only {df} degrees of freedom (fewer than {MIN_DEGREES_OF_FREEDOM})")
    if p in (0.0, 1.0):
        review.append("the estimate is 0 or 1")
    if suppress:
        return Reliability.SUPPRESS, tuple(suppress + review)
    if review:
        return Reliability.REVIEW, tuple(review)
    return Reliability.OK, ()
