"""`screen_text`: rules and semantic similarity combined into one level, with every span shown.

1. Detect the language (language.py); text in a language we do not cover is never scored as
   safe: it is "unscreened" (Level.NOT_SCREENED) unless the rules or the model still find an
   alert in it, which stands.
2. Split the text into sentences (offsets kept) and run the rules of the detected languages.
3. If the model is available, find each sentence's nearest crisis exemplar; a sentence inherits
   the hedges (negated, someone else, hypothetical, past) that every rule hit in it carries, and
   its own: addressed to or about someone else with no first person, in the remote past, or
   nearer to helper talk than to any crisis exemplar.
4. The score is the larger of the strongest rule match and the semantic score of the text, the
   mean of its two strongest sentences (one stray sentence of a long post does not alert alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from careloop.core.errors import InvalidInput
from careloop.safety.text import context, semantic
from careloop.safety.text.language import Detection, detect
from careloop.safety.text.result import (
    ALERT_LEVELS,
    Construct,
    EvidenceSpan,
    Level,
    Qualifier,
    Source,
    TextScreen,
)
from careloop.safety.text.rules import SUPPORTED_LANGUAGES, RuleHit, match_rules
from careloop.safety.text.scoring import ALERT_SCORE, level_for, rule_weight
from careloop.safety.text.segment import Segment, normalise, sentences, tokens

DETECTOR_VERSION = "crisis-text@2.1.0"


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


# Tuned for USE multilingual v3 (issue #18 item 14): docs/safety/crisis-text-detector.md,
# "Calibration", gives the similarity distributions the floor and alert point come from.
CALIBRATION = Calibration(floor=0.10, alert=0.17, full=0.55)
# The semantic score of a text is the mean of its TOP_SENTENCES strongest sentence weights (one
# sentence: its own weight), so a long post needs two crisis-like sentences, not one stray one.
TOP_SENTENCES = 2
# The model reads at most this many characters per text (≈250 tokens, one model input's worth),
# whole sentences from both ends of a long text, where people most often say what they mean
# to do; the rules read everything. It bounds the cost: about 0.5 s of one core per long text.
SEMANTIC_CHAR_BUDGET = 1000
# USE multilingual: a sentence nearer to a contrast sentence ("this homework is killing me")
# than to any crisis exemplar is hedged; the MiniLM-era 0.70 minimum let hyperbole alert.
CONTRAST_MIN_SIMILARITY = 0.0
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


_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")


class UnsupportedLanguage(InvalidInput):
    """A language tag that is not a language tag at all (a covered or uncovered language is fine:
    an uncovered one is screened as far as possible and marked unscreened)."""

    def __init__(self, language: str) -> None:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        super().__init__(
            f"language {language!r} is not a language tag such as 'fr' or 'pt-BR' "
            f"(screened: {supported}); leave it out to detect the language"
        )


def primary_language(language: str) -> str:
    primary = language.strip().lower().replace("_", "-")
    if not _LANGUAGE_TAG.match(primary):
        raise UnsupportedLanguage(language)
    return primary.split("-")[0]


def languages_for(language: str | None) -> tuple[str, ...]:
    """None → every lexicon; "es-MX" → ("es",); an uncovered language → every lexicon too."""
    if language is None:
        return SUPPORTED_LANGUAGES
    primary = primary_language(language)
    return (primary,) if primary in SUPPORTED_LANGUAGES else SUPPORTED_LANGUAGES


def lexicons_for(detection: Detection) -> tuple[str, ...]:
    """Every lexicon, whatever the detected language: people switch languages mid-text and a
    short text's language is a guess, so detection decides only whether the text counts as
    screened (an uncovered language is still looked at: an alert found in it stands)."""
    del detection
    return SUPPORTED_LANGUAGES


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


def sentence_context(sentence: Segment) -> set[Qualifier]:
    """Whose risk and when, for a sentence the rules may not have matched at all.

    Someone else (no first-person word, a second- or third-person one: "please don't give up,
    you matter", "my friend wants to die") or the remote past ("years ago", "when I was 16").
    Pro-drop languages (es, pt, ar) often name no subject: no person word means the writer.
    """
    found: set[Qualifier] = set()
    words = {token.word for token in tokens(sentence.text, 0, len(sentence.text))}
    if not words & context.FIRST_PERSON:
        if words & context.GENERIC_PERSON:
            found.add(Qualifier.GENERIC)
        elif words & context.THIRD_PERSON:
            found.add(Qualifier.THIRD_PERSON)
    if context.is_remote_past(sentence.text):
        found.add(Qualifier.REMOTE_PAST)
    return found


def speaks_for_self(sentence: Segment) -> bool:
    """A first-person word and no second-person or generic one ("I", not "you" or "people")."""
    words = {token.word for token in tokens(sentence.text, 0, len(sentence.text))}
    return bool(words & context.FIRST_PERSON) and not words & context.GENERIC_PERSON


def sentence_qualifiers(
    near: semantic.SentenceSimilarity, hits: list[RuleHit], sentence: Segment | None = None
) -> tuple[Qualifier, ...]:
    qualifiers = _sentence_hedges(hits, near.sentence_index)
    if sentence is not None:
        qualifiers |= sentence_context(sentence)
    # Helper talk ("please call a crisis line", "you are not alone") is about someone else; a
    # sentence in the first person that addresses no one ("I just want to die, what's the
    # point?") is the writer's own, however near to helper talk the model puts it: on the
    # tuning split this hedge hid first-person disclosures in r/SuicideWatch posts.
    if near.support_similarity > near.nearest_similarity and not (
        sentence is not None and speaks_for_self(sentence)
    ):
        qualifiers.add(Qualifier.CONTRAST)
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
        part = parts[near.sentence_index]
        qualifiers = sentence_qualifiers(near, hits, part)
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
    return spans


def aggregate(weights: list[float]) -> float:
    """The semantic score of a text: the mean of its TOP_SENTENCES strongest sentence weights."""
    top = sorted(weights, reverse=True)[:TOP_SENTENCES]
    return sum(top) / len(top) if top else 0.0


def screen_text(text: str, *, language: str | None = None) -> TextScreen:
    """Screen one text for crisis language.

    `language` None: detect it. A stated language we cover runs its lexicon; one we do not
    cover (or an undetectable script) is screened as far as possible and, short of an alert,
    comes back Level.NOT_SCREENED, never NONE. A malformed tag raises UnsupportedLanguage.
    """
    normalised = normalise(text)
    if language is None:
        detection = detect(normalised)
        languages, screened = lexicons_for(detection), detection.screened
    else:
        languages = languages_for(language)
        screened = primary_language(language) in SUPPORTED_LANGUAGES
    parts = sentences(normalised)
    hits = match_rules(normalised, parts, languages)
    evidence = [_rule_evidence(text, hit) for hit in hits]
    score = max((span.weight for span in evidence), default=0.0)
    index = semantic.index()
    if index is not None and parts:
        sentence_spans = _semantic_evidence(index, text, parts, hits)
        score = max(score, aggregate([span.weight for span in sentence_spans]))
        evidence.extend(
            span
            for span in sentence_spans[:EXEMPLAR_EVIDENCE_LIMIT]
            if span.weight >= EXEMPLAR_EVIDENCE_MIN_WEIGHT
        )
    evidence.sort(key=lambda s: (s.start, s.end, s.source, s.rule_id or s.exemplar_id or ""))
    level = level_for(score)
    if not screened and level not in ALERT_LEVELS:
        level = Level.NOT_SCREENED  # HZ-026: an uncovered language is never "none"
    return TextScreen(
        level=level,
        score=score,
        evidence=tuple(evidence),
        detector_version=DETECTOR_VERSION,
        model=index.encoder.version if index is not None else "unavailable",
        language="+".join(languages) if screened else "unscreened",
    )
