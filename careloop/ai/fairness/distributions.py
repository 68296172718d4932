"""The few distribution functions the confidence intervals need, in plain Python (no SciPy).

- `beta_cdf` is the regularised incomplete beta function I_x(a, b), evaluated by the continued
  fraction of Numerical Recipes (Press et al., 3rd ed., §6.4), accurate to ~1e-12 here.
- `beta_ppf` inverts it by bisection (monotone in x), so Clopper–Pearson limits are exact to 1e-10.
- `t_ppf` is Student's t quantile from the same function: P(|T| ≤ t) = 1 − I_{ν/(ν+t²)}(ν/2, ½).

Tested against published table values (t, Clopper–Pearson) in tests/test_distributions.py.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITERATIONS = 500


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITERATIONS + 1):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """I_x(a, b), the Beta(a, b) distribution function at x (a, b > 0)."""
    if a <= 0 or b <= 0:
        raise ValueError("beta parameters must be positive")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1.0 - front * _beta_continued_fraction(1.0 - x, b, a) / b


def beta_ppf(q: float, a: float, b: float) -> float:
    """The q-quantile of Beta(a, b), by bisection on `beta_cdf`."""
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must be in [0, 1]")
    low, high = 0.0, 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if beta_cdf(middle, a, b) < q:
            low = middle
        else:
            high = middle
        if high - low < 1e-12:
            break
    return (low + high) / 2


def t_ppf(q: float, df: float) -> float:
    """The q-quantile of Student's t with df degrees of freedom (0.5 < q < 1 and its mirror)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    two_sided = 2.0 * (1.0 - q)  # P(|T| > t)
    # P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2): solve for x, then t = sqrt(df (1 − x) / x).
    x = beta_ppf(two_sided, df / 2.0, 0.5)
    return math.sqrt(df * (1.0 - x) / x)


def clopper_pearson(
    successes: float, trials: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Exact binomial limits; `successes` and `trials` may be non-integer (effective counts)."""
    if trials <= 0:
        raise ValueError("trials must be positive")
    if not 0 <= successes <= trials:
        raise ValueError("successes must be between 0 and trials")
    alpha = 1.0 - confidence
    lower = 0.0 if successes == 0 else beta_ppf(alpha / 2, successes, trials - successes + 1)
    upper = (
        1.0 if successes == trials else beta_ppf(1 - alpha / 2, successes + 1, trials - successes)
    )
    return lower, upper
