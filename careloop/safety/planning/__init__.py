"""Safety planning: the patient side of safety — crisis resources and the personal safety plan.

Owns:
- the crisis resources directory (`data/crisis_resources.json`, transcribed from the reviewed-draft
  directory; `directory.py` reads it, pure) and CrisisResourceReview: a service's safety lead
  (supervisor or service admin) confirms each verified line before that service's patients see it;
  UNVERIFIED lines are never shown, the emergency number (when verified) always comes first;
- SafetyPlan and its immutable SafetyPlanVersion rows: the six Stanley–Brown sections (plus the
  optional, UNVERIFIED-as-original "reasons for living"), written by the patient with their
  clinician, every save a new version, stale saves refused (409);
- the patient's crisis page, its offline snapshot and service worker.
Depends on: core, accounts, audit, care (who may see a patient). Nothing in safety's alerting
imports this package, and it imports nothing from there.
"""
