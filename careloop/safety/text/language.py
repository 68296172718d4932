"""Which language a text is in, for the languages the detector screens, and when it cannot tell.

A script and function-word heuristic we wrote, with no model and no network: Arabic script is
Arabic unless it has letters only Persian, Urdu, Pashto or Kurdish use; Latin script is scored
by the share of its words that are common function words of each language we know. Languages we
know but do not screen (Italian, Dutch, Turkish, ...) are listed so that they are recognised as
*not screened* rather than forced into the nearest screened language; any other script is not
screened either. Measured accuracy and limits: docs/safety/crisis-text-detector.md.

`detect(text)` returns a `Detection`: the language code, or None when the text has too few
words to tell (then every Latin-script lexicon is run, as code-switching is common), and
whether the detector covers it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SCREENED = ("en", "es", "fr", "pt", "de", "ar")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words (articles, pronouns, auxiliaries, prepositions, negations), ours. Accented forms
# are matched with accents removed as well, since people often omit them.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """the a an and i you he she we they it is am are was were be been have has had do does
        did not don't can't won't i'm it's to of in on for with at my me your this that what
        just so but or if will would could should there here all no"""
    ),
    "es": _words(
        """el la los las un una unos y o pero yo tú tu él ella nosotros me te se mi mis es soy
        estoy está son estar ser de del en con por para que qué no sí ya muy más como cuando
        porque quiero hay ha he lo le esto esta este eso nada todo"""
    ),
    "fr": _words(
        """le la les un une des et ou mais je j' tu il elle nous vous ils elles me te se moi toi
        mon ma mes est suis es sont être avoir ai as a de du au aux en dans avec pour par que
        qui quoi ne pas plus jamais rien ce cette c'est j'ai je suis ça oui non très"""
    ),
    "pt": _words(
        """o a os as um uma e ou mas eu tu você ele ela nós vocês eles elas me te se meu minha
        meus é sou estou está são ser estar de do da dos das em no na nos nas com por para que
        não sim já muito mais como quando porque quero isso isto nada tudo vou tenho"""
    ),
    "de": _words(
        """der die das den dem des ein eine einen und oder aber ich du er sie wir ihr es mich
        mir dich mein meine ist bin bist sind war sein haben habe hat zu von mit für auf in im
        an nicht kein keine nie nur auch noch schon so wenn dass was wie ja nein sehr will"""
    ),
    # Known but not screened: recognised so that they are marked "not screened".
    "it": _words(
        """il lo la gli le un una e o ma io tu lui lei noi voi loro mi ti si mio mia è sono sei
        essere avere ho hai ha di del della in con per che non più molto questo questa voglio
        perché anche"""
    ),
    "nl": _words(
        """de het een en of maar ik jij je hij zij wij we mij me mijn is ben zijn was heb heeft
        van met voor op in niet geen nooit ook nog al dat wat hoe als ja nee heel wil"""
    ),
    "tr": _words(
        """ve bir bu şu o ben sen biz siz onlar benim değil yok var ama çok daha için ile gibi
        ne mi mı mu mü da de ki istiyorum artık"""
    ),
    "pl": _words(
        """i w na z do nie się jest jestem to że ja ty on ona my wy oni mnie mój moja ale jak
        co tak już bardzo chcę przez dla czy"""
    ),
    "id": _words(
        """dan yang di ke dari saya aku kamu dia kami kita mereka ini itu tidak bukan ada akan
        sudah belum untuk dengan ingin mau juga"""
    ),
    "sv": _words(
        """och i att det som en ett jag du han hon vi ni de mig min är var har inte ingen aldrig
        på för med av till om men vill"""
    ),
    "ro": _words(
        """și în la cu de pe eu tu el ea noi voi ei mă te se meu mea este sunt nu da dar ce
        că pentru foarte vreau mai"""
    ),
}
# Words too ambiguous across these languages to count ("a", "de", "e", "o", "no", "me", ...).
_SHARED = frozenset(
    word
    for word in set().union(*FUNCTION_WORDS.values())
    if sum(word in words for words in FUNCTION_WORDS.values()) >= 3
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
# Arabic-script letters that Arabic does not use: Persian/Urdu/Pashto/Kurdish (not screened).
_NON_ARABIC_LETTERS = re.compile("[پچژگکیٹڈڑںھےۓۆێڵڕ]")
# Latin letters none of the screened languages uses: Turkish, Polish, Czech, Romanian, Nordic,
# Hungarian, Vietnamese... A short text with two of them is not screened rather than undetermined.
_UNCOVERED_LATIN = re.compile("[ıİğĞşŞłŁąĄęĘśŚźŹżŻńŃřŘěĚůŮșȘțȚăĂåÅøØæÆőŐűŰđĐơƠưƯ]")
MIN_WORDS = 2  # fewer function words than this: too little to tell
MIN_SHARE = 0.15  # a language's function words must be at least this share of the words


@dataclass(frozen=True)
class Detection:
    language: str | None  # ISO 639-1, or None when the text is too short to tell
    script: str  # "latin", "arabic", "other" or "none"
    screened: bool  # the detector covers it (None language in Latin script counts as covered)


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


_PLAIN = {
    code: words | frozenset(_strip_accents(w) for w in words)
    for code, words in FUNCTION_WORDS.items()
}


def _script(text: str) -> str:
    counts = {"latin": 0, "arabic": 0, "other": 0}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        if name.startswith("LATIN"):
            counts["latin"] += 1
        elif name.startswith("ARABIC"):
            counts["arabic"] += 1
        else:
            counts["other"] += 1
    if not any(counts.values()):
        return "none"
    return max(counts, key=lambda key: counts[key])


def _latin_language(text: str) -> str | None:
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text.replace("’", "'"))]
    # French elision: "j'ai" → "j'" and "ai".
    split: list[str] = []
    for word in words:
        if "'" in word:
            head, tail = word.split("'", 1)
            split.extend([word, head + "'", tail])
        else:
            split.append(word)
    scores: dict[str, int] = {}
    for code, vocabulary in _PLAIN.items():
        scores[code] = sum(
            1
            for w in split
            if (w in vocabulary or _strip_accents(w) in vocabulary) and w not in _SHARED
        )
    best = max(scores, key=lambda code: (scores[code], code in SCREENED))
    if scores[best] < MIN_WORDS or scores[best] < MIN_SHARE * len(words):
        return None
    return best


def detect(text: str) -> Detection:
    script = _script(text)
    if script == "arabic":
        if len(_NON_ARABIC_LETTERS.findall(text)) >= 2:
            return Detection(language=None, script=script, screened=False)
        return Detection(language="ar", script=script, screened=True)
    if script == "latin":
        language = _latin_language(text)
        if language is None and len(_UNCOVERED_LATIN.findall(text)) >= 2:
            return Detection(language=None, script=script, screened=False)
        return Detection(language, script, screened=language is None or language in SCREENED)
    # No letters at all (emoji, digits, punctuation): nothing to screen in words, rules still run.
    return Detection(language=None, script=script, screened=script == "none")
