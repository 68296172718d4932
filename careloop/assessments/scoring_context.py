"""What the scorers need to know about the patient beyond the answers: today, the sex that picks
the AUDIT-C cut-off (>= 4 men, >= 3 women; clinical_spec.md §8 cutoffs.us_va, from
loinc.org/75626-2 citing PMID 12695273).

The spec says the cut-off depends on sex and to record the sex/gender used for scoring with the
result (§8 sex_specific_rule). Careloop records the patient's gender (care.Patient.gender);
female and male map to the two published cut-offs. For non-binary and "prefer not to say" the
spec gives no cut-off, so none is guessed: caseness stays undetermined (None) and the scorer
reports whether each cut-off is met (instruments/scoring/audit_c.py), for the clinician to judge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from careloop.care.types import Gender
from careloop.instruments.scoring import Sex

if TYPE_CHECKING:
    from careloop.care.models import Patient

_SEX_FOR_GENDER = {Gender.FEMALE: Sex.FEMALE, Gender.MALE: Sex.MALE}


def scoring_sex(patient: Patient) -> Sex | None:
    """The sex whose cut-off applies to this patient's AUDIT-C, or None when none is recorded."""
    return _SEX_FOR_GENDER.get(Gender(patient.gender)) if patient.gender in Gender.values else None
