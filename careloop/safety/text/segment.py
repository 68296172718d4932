"""Split text into sentences, clauses and word tokens, always keeping offsets into the original.

Offsets matter more than linguistic finesse here: every evidence span must point at the exact
characters a clinician will see highlighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? … (with any closing quotes/brackets) followed by space, or at a line
# break or a semicolon. Long run-on sentences are cut so one embedding never covers a whole post.
# Forum posts often arrive with the title glued to the body ("I just want to dieI'm a loser",
# "Best pills for an overdose?I don't care"): "?", "!" or "." straight before a capital, and a
# lower-case word running into a capitalised one ("dieI'm", "leaveI want") end a sentence too,
# so a rule's word boundary and the model see two sentences (issue #18 item 14). Needs two
# lower-case letters first, so "iPhone" and "McDonald" stay whole.
_SENTENCE_END = re.compile(
    r"(?:[.!?…]+[\"')\]»”’]*(?=\s)|[!?…]+[\"')\]»”’]*(?=[A-Z])|(?<=[a-z]{2})\.(?=[A-Z][a-z])"
    r"|(?<=[a-z]{2})(?=[A-Z](?:[a-z']|\s))|\n+|;)"
)
MAX_SENTENCE_CHARS = 400

# Scope terminators for negation: "I don't want to die, but ..." ends at the comma/"but".
_CLAUSE_BREAK = re.compile(
    r",(?!\s*(?:ever|nunca|jam[aá]s)\b)|:|\s+-+\s+|\s—\s"
    r"|\b(?:but|however|although|though|except|whereas|pero|aunque|sino|sin embargo|mientras"
    r"|mais|cependant|pourtant|mas|por[eé]m|aber|sondern|jedoch|لكن|لكنني|بل)\b",
    re.IGNORECASE,
)
# Conditionals reach over commas ("If she leaves, I'll ..."), so only contrast words end them.
_CONTRAST_BREAK = re.compile(
    r"\b(?:but|however|although|though|except|whereas|pero|aunque|sino|sin embargo"
    r"|mais|cependant|pourtant|mas|por[eé]m|aber|sondern|jedoch|لكن|لكنني|بل)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# Typographic apostrophes become plain ones before matching; one character for one, so offsets hold.
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str  # lower-cased, possessive "'s" removed ("brother's" → "brother")


def normalise(text: str) -> str:
    """Same length as `text`, so any offset into the result is an offset into the original."""
    return text.translate(_APOSTROPHES)


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end, text[start:end]) if end > start else None


def _cut_long(text: str, segment: Segment) -> list[Segment]:
    if segment.end - segment.start <= MAX_SENTENCE_CHARS:
        return [segment]
    pieces: list[Segment] = []
    start = segment.start
    while start < segment.end:
        end = min(start + MAX_SENTENCE_CHARS, segment.end)
        if end < segment.end:  # cut at the last space, never inside a word
            space = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, end)
            end = space if space > start else end
        piece = _trimmed(text, start, end)
        if piece:
            pieces.append(piece)
        start = end
    return pieces


def sentences(text: str) -> list[Segment]:
    """Sentences of `text` in order, each with its offsets; blank input gives none."""
    result: list[Segment] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = _trimmed(text, start, match.end())
        if piece:
            result.extend(_cut_long(text, piece))
        start = match.end()
    piece = _trimmed(text, start, len(text))
    if piece:
        result.extend(_cut_long(text, piece))
    return result


def clause_bounds(
    sentence: Segment, position: int, *, over_commas: bool = False
) -> tuple[int, int]:
    """The clause of `sentence` holding absolute offset `position`; `over_commas` widens it to
    the stretch between contrast words ("but", "pero"), the scope of a conditional."""
    start, end = sentence.start, sentence.end
    breaks = _CONTRAST_BREAK if over_commas else _CLAUSE_BREAK
    for match in breaks.finditer(sentence.text):
        absolute_start = sentence.start + match.start()
        absolute_end = sentence.start + match.end()
        if absolute_end <= position:
            start = absolute_end
        elif absolute_start >= position:
            end = absolute_start
            break
    return start, end


def tokens(text: str, start: int, end: int) -> list[Token]:
    """Word tokens of text[start:end], with absolute offsets."""
    found = []
    for match in _WORD.finditer(text, start, end):
        word = match.group().lower().replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        found.append(Token(match.start(), match.end(), word))
    return found
