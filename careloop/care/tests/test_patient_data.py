"""Care's reads for the patient's own pages are the patient's only."""

from __future__ import annotations

import pytest

from careloop.care.patient_data import care_team_user_ids
from careloop.core.errors import NotFound


def test_the_care_team_is_listed_for_the_patient_themself(ada, ada_patient, ben):
    assert ben.id in care_team_user_ids(ada, ada_patient)


def test_anyone_else_is_told_not_found(ada_patient, ben, cleo):
    for reader in (ben, cleo):  # a member of the team and an admin of the service alike
        with pytest.raises(NotFound):
            care_team_user_ids(reader, ada_patient)
