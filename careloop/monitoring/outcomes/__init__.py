"""The outcome engine: pure, typed functions over score series (no Django, no I/O).

Modules, each citing /work/shared/reference/clinical_spec.md for every number:

* `change` — change from baseline; Jacobson–Truax reliable change (§16) and the fixed NHS
  Talking Therapies criteria PHQ-9 6 / GAD-7 4 points (§1, §4, §15; secondary, UNVERIFIED);
* `nhs_tt` — per-episode NHS Talking Therapies outcomes (§15): caseness at start, finished
  treatment, recovery, reliable improvement, reliable recovery, reliable deterioration;
* `service_metrics` — the service-level rates with their numerators and denominators (§15);
* `cocm` — collaborative-care response, remission and the 10–12-week review flag (§17);
* `percentiles`, `bands`, `reference` — expected-recovery bands from a service's closed episodes,
  the minimum-data rule, pooling and the published fallback (§18);
* `episode` — all of the above for one episode, as the API shows it.

Database reads that feed these functions live in `careloop.monitoring.outcome_selectors`; the
method is documented in docs/outcomes.md.
"""
