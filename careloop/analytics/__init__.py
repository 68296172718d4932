"""Analytics: read-only aggregates for service leads and researchers. Never writes clinical data.

Owns: the NHS Talking Therapies service report (`reports`, `careloop report nhs-tt`, the API),
the NHANES PHQ-9 reproduction (`nhanes`, pure), scoring and checking HL7 QuestionnaireResponses
(`questionnaire_responses`, pure) and pseudonymised k-anonymous research extracts
(`research_extract`, `kanonymity` pure, `careloop research extract`); `selectors` picks the
service a report may be about. No tables of its own.
Depends on: monitoring (outcome engine and its reads) and the domains below it, through their
selectors (consent through privacy.consent).
"""
