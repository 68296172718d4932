"""`screen_text`: rules and semantic similarity combined into one level, with every span shown.

1. Split the text into sentences (offsets kept) and run the rules of the chosen languages.
2. If the model is available, find each sentence's nearest crisis exemplar; a sentence inherits
   the hedges (negated, someone else, hypothetical, past) that every rule hit in it carries.
3. The score is the largest evidence weight, so the model can raise a level but never lower
   what the rules found; the level is a banding of the score (scoring.LEVEL_FLOORS).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from careloop.core.errors import InvalidInput
from careloop.safety.text import semantic
from careloop.safety.text.result import (
    Construct,
    EvidenceSpan,
    Qualifier,
    Source,
    TextScreen,
)
from careloop.safety.text.rules import SUPPORTED_LANGUAGES, RuleHit, match_rules
from careloop.safety.text.scoring import ALERT_SCORE, level_for, rule_weight
from careloop.safety.text.segment import Segment, normalise, sentences

DETECTOR_VERSION = "crisis-text@1.0.0"


@dataclass(frozen=True)
class Calibration:
    """How a sentence's similarity (semantic.SentenceSimilarity) becomes a weight.

    At or below `floor` it counts nothing; at `alert` it reaches the alert score (so `alert` is
    the operating point on the similarity scale, chosen for recall); at `full` it counts as much
    as a rule match of its nearest exemplar's construct; linear in between. Tuned on the tuning
    split of crisis_text_dev with tune.py; the held-out split was not used.
    """

    floor: float
    alert: float
    full: float


CALIBRATION = Calibration(floor=0.0, alert=0.14, full=0.55)
# The model reads at most this many characters per text (≈250 tokens, one model input's worth),
# whole sentences from both ends of a long text, where people most often say what they mean
# to do; the rules read everything. It bounds the cost: about 0.5 s of one core per long text.
SEMANTIC_CHAR_BUDGET = 1000
CONTRAST_MIN_SIMILARITY = 0.7
EXEMPLAR_EVIDENCE_LIMIT = 3
EXEMPLAR_EVIDENCE_MIN_WEIGHT = 0.05
_INHERITED = frozenset(
    {
        Qualifier.NEGATED,
        Qualifier.HYPOTHETICAL,
        Qualifier.GENERIC,
        Qualifier.THIRD_PERSON,
        Qualifier.REMOTE_PAST,
    }
)


class UnsupportedLanguage(InvalidInput):
    def __init__(self, language: str) -> None:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        super().__init__(
            f"language {language!r} is not supported (supported: {supported}); "
            "leave it out to screen with every lexicon"
        )


def languages_for(language: str | None) -> tuple[str, ...]:
    """None → every lexicon (safest with code-switching); "es-MX" → ("es",)."""
    if language is None:
        return SUPPORTED_LANGUAGES
    primary = language.strip().lower().replace("_", "-").split("-")[0]
    if primary not in SUPPORTED_LANGUAGES:
        raise UnsupportedLanguage(language)
    return (primary,)


def _rule_evidence(text: str, hit: RuleHit) -> EvidenceSpan:
    return EvidenceSpan(
        start=hit.start,
        end=hit.end,
        matched=text[hit.start : hit.end],
        construct=hit.rule.construct,
        source=Source.RULE,
        rule_id=hit.rule.rule_id,
        qualifiers=hit.qualifiers,
        weight=hit.weight,
    )


def semantic_weight(
    similarity: float,
    construct: Construct,
    qualifiers: tuple[Qualifier, ...],
    calibration: Calibration = CALIBRATION,
) -> float:
    """The weight of a sentence at `similarity`, then scaled by its qualifiers like a rule match."""
    top = rule_weight(construct, ())
    c = calibration
    if similarity <= c.floor:
        unhedged = 0.0
    elif similarity < c.alert:
        unhedged = ALERT_SCORE * (similarity - c.floor) / (c.alert - c.floor)
    elif similarity < c.full:
        unhedged = ALERT_SCORE + (top - ALERT_SCORE) * (similarity - c.alert) / (c.full - c.alert)
    else:
        unhedged = top
    return unhedged * rule_weight(construct, qualifiers) / top


def _sentence_hedges(hits: list[RuleHit], sentence_index: int) -> set[Qualifier]:
    """Hedges shared by every rule hit in the sentence (none if the sentence has no hit)."""
    found = [set(h.qualifiers) & _INHERITED for h in hits if h.sentence_index == sentence_index]
    return set.intersection(*found) if found else set()


def semantic_sentences(parts: list[Segment]) -> list[int]:
    """Indices of the sentences the model reads: all, or both ends within the budget."""
    chosen: list[int] = []
    used = 0
    front, back = 0, len(parts) - 1
    while front <= back:
        for index in (front, back) if front != back else (front,):
            if used + len(parts[index].text) > SEMANTIC_CHAR_BUDGET and chosen:
                return sorted(chosen)
            chosen.append(index)
            used += len(parts[index].text)
        front, back = front + 1, back - 1
    return sorted(chosen)


def nearest_exemplars(
    index: semantic.SentenceIndex, parts: list[Segment]
) -> list[semantic.SentenceSimilarity]:
    """The nearest crisis exemplar of each sentence the model reads (indices into `parts`)."""
    chosen = semantic_sentences(parts)
    found = index.nearest([parts[i].text for i in chosen])
    return [replace(near, sentence_index=chosen[near.sentence_index]) for near in found]


def sentence_qualifiers(
    near: semantic.SentenceSimilarity, hits: list[RuleHit]
) -> tuple[Qualifier, ...]:
    qualifiers = _sentence_hedges(hits, near.sentence_index)
    # Only a near-paraphrase of a non-crisis sentence ("this homework is killing me") counts
    # as contrast: a general pull towards the contrast set ranked posts worse when tuning.
    contrast = near.contrast_similarity
    if contrast > near.nearest_similarity and contrast >= CONTRAST_MIN_SIMILARITY:
        qualifiers.add(Qualifier.CONTRAST)
    return tuple(q for q in Qualifier if q in qualifiers)


def _semantic_evidence(
    index: semantic.SentenceIndex, text: str, parts: list[Segment], hits: list[RuleHit]
) -> list[EvidenceSpan]:
    spans = []
    for near in nearest_exemplars(index, parts):
        construct = near.exemplar.construct
        assert construct is not None  # nearest() only returns crisis exemplars
        qualifiers = sentence_qualifiers(near, hits)
        part = parts[near.sentence_index]
        spans.append(
            EvidenceSpan(
                start=part.start,
                end=part.end,
                matched=text[part.start : part.end],
                construct=construct,
                source=Source.EXEMPLAR,
                exemplar_id=near.exemplar.exemplar_id,
                similarity=near.similarity,
                qualifiers=qualifiers,
                weight=semantic_weight(near.similarity, construct, qualifiers),
            )
        )
    spans.sort(key=lambda span: -span.weight)
    return [s for s in spans[:EXEMPLAR_EVIDENCE_LIMIT] if s.weight >= EXEMPLAR_EVIDENCE_MIN_WEIGHT]


def screen_text(text: str, *, language: str | None = None) -> TextScreen:
    """Screen one text for crisis language; raises UnsupportedLanguage for an unknown language."""
    languages = languages_for(language)
    normalised = normalise(text)
    parts = sentences(normalised)
    hits = match_rules(normalised, parts, languages)
    evidence = [_rule_evidence(text, hit) for hit in hits]
    index = semantic.index()
    if index is not None and parts:
        evidence.extend(_semantic_evidence(index, text, parts, hits))
    score = max((span.weight for span in evidence), default=0.0)
    evidence.sort(key=lambda s: (s.start, s.end, s.source, s.rule_id or s.exemplar_id or ""))
    return TextScreen(
        level=level_for(score),
        score=score,
        evidence=tuple(evidence),
        detector_version=DETECTOR_VERSION,
        model=index.encoder.version if index is not None else "unavailable",
        language="+".join(languages),
    )
