"""The server-rendered safety plan pages: edit with the form, history, and outsiders' 404."""

from __future__ import annotations

from typing import Any

import pytest

from careloop.safety.planning.models import SafetyPlanVersion
from careloop.safety.planning.services import save_safety_plan


def _edit_url(patient) -> str:
    return f"/safety/patients/{patient.id}/plan/edit/"


def _form(base_version: int, **rows) -> dict[str, Any]:
    data: dict[str, Any] = {"base_version": str(base_version)}
    data.update(rows)
    return data


def test_patient_writes_the_plan_with_the_form_and_sees_it(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    assert client.get("/safety/plan/").status_code == 302
    form = client.get(_edit_url(ada_patient))
    assert form.status_code == 200
    html = form.content.decode()
    assert "<fieldset" in html and "<legend>Step 1: My warning signs</legend>" in html
    assert 'for="people_to_ask_for_help-phone-1"' in html and 'type="tel"' in html
    # The reasons-for-living step: plain words for the patient, never the staff's UNVERIFIED
    # label (#18 item 6); the care team sees the label (test_staff_see_the_unverified_label).
    assert "An extra step, not one of the six main steps of the plan." in html
    assert "UNVERIFIED" not in html
    posted = client.post(
        _edit_url(ada_patient),
        _form(
            0,
            **{
                "warning_signs-text": ["Not sleeping", ""],
                "people_to_ask_for_help-text": ["My sister", ""],
                "people_to_ask_for_help-phone": ["07700 900123", ""],
            },
        ),
    )
    assert posted.status_code == 302
    page = client.get(posted["Location"]).content.decode()
    assert "Safety plan saved as version 1." in page
    assert "Not sleeping" in page and 'href="tel:07700900123"' in page
    version = SafetyPlanVersion.objects.get()
    assert version.content["sections"]["warning_signs"] == [{"text": "Not sleeping"}]


def test_stale_form_save_is_refused_shows_the_newest_version_and_keeps_the_typed_words(
    as_user, ada, ada_patient, ben
) -> None:
    save_safety_plan(
        ada_patient, actor=ada, base_version=0, sections={"warning_signs": [{"text": "v1"}]}
    )
    save_safety_plan(
        ada_patient, actor=ben, base_version=1, sections={"warning_signs": [{"text": "by Ben"}]}
    )
    response = as_user(ada).post(
        _edit_url(ada_patient), _form(1, **{"warning_signs-text": ["my new words"]})
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed while you were editing" in html
    assert "by Ben" in html and 'value="my new words"' in html
    assert 'name="base_version" value="2"' in html
    assert SafetyPlanVersion.objects.count() == 2


def test_bad_form_input_is_a_4xx_with_the_words_kept(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    bad_phone = client.post(
        _edit_url(ada_patient),
        _form(
            0,
            **{"people_to_ask_for_help-text": ["Mum"], "people_to_ask_for_help-phone": ["call!"]},
        ),
    )
    assert bad_phone.status_code == 422
    assert b"does not look like a phone number" in bad_phone.content
    assert b'value="Mum"' in bad_phone.content
    no_version = client.post(_edit_url(ada_patient), {"warning_signs-text": ["x"]})
    assert no_version.status_code == 422
    assert SafetyPlanVersion.objects.count() == 0


def test_clinician_edits_and_reads_history_of_a_patient_in_their_team(
    as_user, ada, ada_patient, ben
) -> None:
    save_safety_plan(
        ada_patient, actor=ada, base_version=0, sections={"warning_signs": [{"text": "first"}]}
    )
    client = as_user(ben)
    posted = client.post(_edit_url(ada_patient), _form(1, **{"warning_signs-text": ["second"]}))
    assert posted.status_code == 302
    history = client.get(f"/safety/patients/{ada_patient.id}/plan/history/").content.decode()
    assert "Version 2" in history and "Version 1" in history and "(patient)" in history
    old = client.get(f"/safety/patients/{ada_patient.id}/plan/versions/1/").content.decode()
    assert "first" in old and "It may not be the newest version" in old
    assert (
        "Stanley–Brown" in client.get(f"/safety/patients/{ada_patient.id}/plan/").content.decode()
    )


PAGES = ["plan/", "plan/edit/", "plan/history/", "plan/versions/1/"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("who", ["dana", "cleo", "bob"])
def test_outsiders_get_404_on_every_plan_page(
    request, as_user, ada, ada_patient, page, who
) -> None:
    save_safety_plan(
        ada_patient, actor=ada, base_version=0, sections={"warning_signs": [{"text": "secret"}]}
    )
    client = as_user(request.getfixturevalue(who))
    url = f"/safety/patients/{ada_patient.id}/{page}"
    response = client.get(url)
    assert response.status_code == 404
    assert b"secret" not in response.content
    if page == "plan/edit/":
        posted = client.post(url, _form(1, **{"warning_signs-text": ["overwritten"]}))
        assert posted.status_code == 404
    assert SafetyPlanVersion.objects.count() == 1


def test_staff_have_no_own_plan_page(as_user, ben) -> None:
    assert as_user(ben).get("/safety/plan/").status_code == 404


def test_staff_see_the_unverified_label_of_the_extra_step(as_user, ben, ada_patient) -> None:
    html = as_user(ben).get(_edit_url(ada_patient)).content.decode()
    assert "UNVERIFIED as part of the original" in html
