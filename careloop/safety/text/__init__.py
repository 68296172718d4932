"""Crisis-language detector for free text (journal entries, messages to the care team).

Pure and framework-free: no Django anywhere in this package. Rules we wrote from the C-SSRS
constructs (English and Spanish) find the words, with negation, hypotheticals, third person and
time handled; semantic similarity to exemplar sentences we wrote (all-MiniLM-L6-v2 through a
numpy forward pass, no torch, no network) finds what the rules miss. Every flag carries its
evidence spans. See docs/safety/crisis-text-detector.md.

Public API: `screen_text(text, *, language=None) -> TextScreen`.
"""

from careloop.safety.text.detector import DETECTOR_VERSION, UnsupportedLanguage, screen_text
from careloop.safety.text.result import (
    ALERT_LEVELS,
    Construct,
    EvidenceSpan,
    Level,
    Qualifier,
    Source,
    TextScreen,
)

__all__ = [
    "ALERT_LEVELS",
    "DETECTOR_VERSION",
    "Construct",
    "EvidenceSpan",
    "Level",
    "Qualifier",
    "Source",
    "TextScreen",
    "UnsupportedLanguage",
    "screen_text",
]
