from __future__ import annotations

import re
import uuid

from careloop.assessments.models import Assessment
from careloop.safety.models import Alert


def _form(answers, client_id=None):
    data = {f"item-{link}": str(value) for link, value in answers.items()}
    data["client_id"] = str(client_id or uuid.uuid4())
    return data


def _link_ids():
    from careloop.instruments.library import get_instrument

    return [item.link_id for item in get_instrument("phq9").items]


def test_patient_sees_due_phq9_answers_it_and_sees_plain_meaning(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    home = client.get("/")
    assert b"/questionnaires/phq9/" in home.content
    form = client.get("/questionnaires/phq9/")
    assert form.status_code == 200
    assert re.search(rb"<fieldset[^>]*>", form.content) and b"<legend>" in form.content
    links = _link_ids()
    answers = dict(zip(links[:9], [2, 2, 2, 2, 2, 1, 1, 1, 0], strict=True))
    response = client.post("/questionnaires/phq9/", _form(answers))
    assert response.status_code == 302
    result = client.get(response["Location"])
    assert b"13" in result.content
    assert b"moderate symptoms of depression" in result.content
    assert b"not a diagnosis" in result.content
    assert Alert.objects.count() == 0


def test_item9_answer_shows_safety_message(as_user, ada, ada_patient) -> None:
    client = as_user(ada)
    links = _link_ids()
    answers = dict(zip(links[:9], [0, 0, 0, 0, 0, 0, 0, 0, 2], strict=True))
    response = client.post("/questionnaires/phq9/", _form(answers))
    result = client.get(response["Location"])
    assert b"Your care team has been told" in result.content
    assert b"emergency" in result.content
    assert Alert.objects.count() == 1


def test_incomplete_form_is_shown_again_with_a_message_and_nothing_stored(
    as_user, ada, ada_patient
) -> None:
    client = as_user(ada)
    links = _link_ids()
    answers = dict(zip(links[:2], [1, 1], strict=True))
    response = client.post("/questionnaires/phq9/", _form(answers))
    assert response.status_code == 422
    assert b'role="alert"' in response.content
    assert Assessment.objects.count() == 0


def test_clinician_cannot_open_the_patient_form(as_user, ben) -> None:
    assert as_user(ben).get("/questionnaires/phq9/").status_code == 404


def test_another_patient_gets_404_for_adas_result(
    as_user, ada, ada_patient, service, north
) -> None:
    from careloop.accounts.types import Role
    from careloop.care.models import Patient
    from conftest import make_user

    links = _link_ids()
    response = as_user(ada).post(
        "/questionnaires/phq9/", _form(dict(zip(links[:9], [1] * 9, strict=True)))
    )
    result_url = response["Location"]
    other = make_user(service, "olu", Role.PATIENT)
    Patient.objects.create(service=service, user=other, care_team=north, display_name="Olu")
    assert as_user(other).get(result_url).status_code == 404
    assert as_user(ada).get(result_url).status_code == 200


def test_disabled_or_unknown_instrument_form_is_404(as_user, ada, ada_patient) -> None:
    assert as_user(ada).get("/questionnaires/epds/").status_code == 404
    assert as_user(ada).get("/questionnaires/nope/").status_code == 404


def test_my_results_name_each_questionnaire_and_link_to_its_result(
    as_user, ada, ada_patient
) -> None:
    client = as_user(ada)
    response = client.post("/questionnaires/phq9/", _form(dict.fromkeys(_link_ids(), 1)))
    assert response.status_code in (200, 302)
    page = client.get("/questionnaires/history/").content.decode()
    assert "Patient Health Questionnaire-9 (PHQ-9)" in page
    assert ">PHQ9<" not in page
