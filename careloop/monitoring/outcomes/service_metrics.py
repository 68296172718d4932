"""NHS Talking Therapies service metrics: numerators and denominators over finished courses.

Denominators (clinical_spec.md §15):

* recovery rate = recovered / (finished courses − not at caseness at start)
  (NHS England PDT SQL, "2.21 Ethnic Minorities Recovery.sql" line 96);
* reliable recovery rate = reliably recovered / the same denominator as recovery (the KM SQL
  counts reliable recovery among the referrals that can recover);
* reliable improvement rate = reliably improved / finished courses (all, not only cases:
  UNVERIFIED in the spec);
* reliable deterioration rate = reliably deteriorated / finished courses (UNVERIFIED likewise).

Careloop choice: a finished course without two paired scores has no outcome; it is counted in
`finished` and in `finished_without_outcome_pair`, and left out of every outcome denominator.
"""

from __future__ import annotations

from dataclasses import dataclass

from careloop.monitoring.outcomes.nhs_tt import NhsTtOutcome, SessionsBasis

DENOMINATOR_SOURCES = {
    "recovery": (
        "recovered / (finished − not at caseness at start): clinical_spec.md §15 recovery_rate "
        "(NHS England PDT SQL)"
    ),
    "reliable_recovery": "reliably recovered / finished cases: clinical_spec.md §15",
    "reliable_improvement": (
        "reliably improved / finished with paired scores: clinical_spec.md §15 "
        "(denominator UNVERIFIED)"
    ),
    "reliable_deterioration": (
        "reliably deteriorated / finished with paired scores: clinical_spec.md §15 "
        "(denominator UNVERIFIED)"
    ),
}


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The proportion, or None when nobody is in the denominator."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class NhsTtTally:
    """Counts over ended episodes; `add` one outcome at a time (constant memory)."""

    ended: int = 0
    finished: int = 0
    finished_sessions_estimated: int = 0
    finished_without_outcome_pair: int = 0
    finished_with_outcome_pair: int = 0
    finished_not_at_caseness: int = 0
    recovered: int = 0
    reliably_improved: int = 0
    reliably_deteriorated: int = 0
    reliably_recovered: int = 0

    def add(self, outcome: NhsTtOutcome) -> None:
        """Count one ended episode; ongoing episodes are refused (they have no outcome yet)."""
        if not outcome.is_ended:
            raise ValueError("only ended episodes count in NHS TT service metrics")
        self.ended += 1
        if not outcome.finished_treatment:
            return
        self.finished += 1
        self.finished_sessions_estimated += outcome.sessions_basis == SessionsBasis.ESTIMATED
        if not outcome.has_outcome:
            self.finished_without_outcome_pair += 1
            return
        self.finished_with_outcome_pair += 1
        self.finished_not_at_caseness += not outcome.caseness_at_start
        self.recovered += bool(outcome.recovered)
        self.reliably_improved += bool(outcome.reliable_improvement)
        self.reliably_deteriorated += bool(outcome.reliable_deterioration)
        self.reliably_recovered += bool(outcome.reliable_recovery)

    def add_finished_without_scores(self, count: int, *, ended: int) -> None:
        """Episodes that ended with no PHQ-9/GAD-7 at all: `count` of the `ended` had ≥ 2
        recorded sessions, so they finished treatment but have no outcome."""
        self.ended += ended
        self.finished += count
        self.finished_without_outcome_pair += count

    @property
    def finished_cases(self) -> int:
        return self.finished_with_outcome_pair - self.finished_not_at_caseness

    @property
    def recovery(self) -> Rate:
        return Rate(self.recovered, self.finished_cases)

    @property
    def reliable_recovery(self) -> Rate:
        return Rate(self.reliably_recovered, self.finished_cases)

    @property
    def reliable_improvement(self) -> Rate:
        return Rate(self.reliably_improved, self.finished_with_outcome_pair)

    @property
    def reliable_deterioration(self) -> Rate:
        return Rate(self.reliably_deteriorated, self.finished_with_outcome_pair)
