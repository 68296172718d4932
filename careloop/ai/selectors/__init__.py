"""Reads of the ai domain. Patient data only through the care access decision
(care.selectors): outsiders get NotFound (404). Worker and command reads with no reader are
named `…_for_system` and say why they may read (see each docstring).

* `history`: an episode's first weeks as the early-warning model reads them, and the training
  rows of a service's closed episodes.
* `registry`: model versions, the active one, the kill switch, model cards.
* `oversight`: suggestions for a patient, the decisions, override rates, the supervisor hook,
  the patient's decision receipts and the review tasks.
"""
