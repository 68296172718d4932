"""Safety planning: the patient side of safety — crisis resources and the personal safety plan.

Owns: the crisis resources directory (`data/crisis_resources.json`, read by the pure `directory`)
and CrisisResourceReview (a service's safety lead confirms each verified line before its patients
see it; UNVERIFIED lines never shown, the verified emergency number first); SafetyPlan and its
immutable versions (the Stanley–Brown sections, `plan_content` pure; stale saves refused, 409);
the crisis page and its offline snapshot; `selectors` (crisis card for journal and messaging,
safety plans for fhir) and `patient_data`. Depends on: core, audit, accounts, privacy, care.
Nothing in safety's alerting imports this package, and it imports nothing from there.
"""
