"""Fairness metrics and the release gate (pure: standard library and NumPy, no Django).

`metrics` (per-group sensitivity, false-positive rate, PPV, ECE with bootstrap CIs), `survey`
(design-based survey-weighted proportions, Korn–Graubard CIs, NCHS reliability flags),
`gate` (blocks a model whose groups differ too much), `distributions` (beta and t quantiles).
"""
