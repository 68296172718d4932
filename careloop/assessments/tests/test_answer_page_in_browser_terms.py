"""The questionnaire form as a patient meets it in a real browser (issue #18 items 2, 5, 6).

Found by driving Chromium against `make run`: the radios carry `required`, so the browser
itself refused to send a PHQ-9 with blanks and the item 9 answer on it never reached the server
(HZ-017 was only reachable by scripts); a refusal without a risk answer showed item ids and the
proration rule; "question(s)" read like a code; the C-SSRS screener, offered after a positive
item 9, opened with its staff-facing recall-period note as if it were a PHQ-style frequency
question.
"""

from __future__ import annotations

import uuid

from careloop.assessments.meaning import score_text
from careloop.assessments.models import Assessment
from careloop.assessments.services import submit_assessment
from careloop.assessments.types import AssessmentStatus, SubmissionSource


def test_the_browser_never_blocks_sending_a_form_with_blanks(as_user, ada, ada_patient) -> None:
    page = as_user(ada).get("/questionnaires/phq9/").content.decode()
    form = page[page.index('<form method="post"', page.index("<main")) :]
    assert form.startswith('<form method="post" novalidate')


def test_blanks_without_a_risk_answer_are_named_plainly_and_the_answers_kept(
    as_user, ada, ada_patient
) -> None:
    posted = {f"item-{n}": "1" for n in (1, 3, 5, 7, 8)} | {
        "item-9": "0",  # answered "Not at all": nothing to keep, so nothing is stored
        "client_id": str(uuid.uuid4()),
    }
    response = as_user(ada).post("/questionnaires/phq9/", posted)
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "Your answers have not been sent yet: please also answer questions 2, 4 and 6, "
        "then send again." in page
    )
    for code_like in ("missing items", "Arrieta", "prorated", "was not stored"):
        assert code_like not in page
    assert 'id="item-3-1" name="item-3" value="1" required checked' in page
    assert Assessment.objects.count() == 0


def test_clinician_history_cell_names_missing_questions_in_words(ada, ada_patient) -> None:
    assessment, _ = submit_assessment(
        ada_patient,
        actor=ada,
        instrument_id="phq9",
        answers=[1, None, 1, None, 1, None, 1, 1, 3],
        client_id=uuid.uuid4(),
        source=SubmissionSource.WEB,
    )
    assert assessment.status == AssessmentStatus.INCOMPLETE
    assert score_text(assessment) == "not scored: questions 2, 4 and 6 not answered"


def test_the_cssrs_screener_opens_with_patient_words_not_its_recall_metadata(
    as_user, ada, ada_patient
) -> None:
    page = as_user(ada).get("/questionnaires/cssrs_screener/").content.decode()
    assert "ideation (Q1" not in page
    assert "how often have you been bothered" not in page
    assert "Questions 1 to 5 are about the past month." in page
