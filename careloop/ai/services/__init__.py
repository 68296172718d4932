"""Writes of the ai domain: actor explicit, validated, one transaction, audited inside it.

* `registry`: register a model or rule version, activate it (only past the fairness gate; a
  rule version only after a supervisor's sign-off on a dry-run), the kill switch.
* `predictions`: early-warning estimates for an episode at weeks 2-4 (on demand and the worker
  job `ai.make_due_predictions`).
* `suggestions`: stepped-care suggestions from the rules (refined by the model when it is on)
  and the clinician's decision (accept / override / defer with a reason code).
* `reviews`: the patient asks a person to review a decision; a clinician answers.
"""
