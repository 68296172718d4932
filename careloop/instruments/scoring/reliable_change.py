"""Reliable-change criteria per instrument, in points: the one table both the safety rules and
the outcome engine read.

Why here (instruments, layer 3): `monitoring.outcomes` (layer 6) reports reliable change, and
`safety.rules` (layer 5) alerts on reliable deterioration; safety may not import monitoring, so
the number lives below both, next to the scorers whose totals it compares. Pure: no Django.

NHS Talking Therapies fixed criteria (clinical_spec.md §1 change.nhs_tt_reliable_change, §4,
§15 reliable_deterioration, §16 nhs_tt_values): PHQ-9 >= 6 points, GAD-7 >= 4 points. The spec
reads them from secondary sources only (the NHS TT Manual table was not retrieved, spec §21 item
1): UNVERIFIED details, shown to clinicians as such and never to patients as fact.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

RELIABLE_CHANGE_POINTS: Mapping[str, int] = MappingProxyType({"phq9": 6, "gad7": 4})
RELIABLE_CHANGE_SOURCE = (
    "NHS Talking Therapies reliable change (PHQ-9 >= 6, GAD-7 >= 4 points): clinical_spec.md "
    "§1, §4, §15, §16 (secondary sources; UNVERIFIED details)"
)
