"""Context around a match: negation, hypotheticals, whose experience it is, and when it happened.

NegEx-style: a cue only counts inside the match's clause (segment.clause_bounds) and, for
negation, only when it governs the match (at most NEGATION_WINDOW content words before it).
Pseudo-cues ("no one", "not sure", "no sé", "trying not to") look like negation but are not.
All cue lists are ours, in English and Spanish; accents are optional because people omit them.
"""

from __future__ import annotations

import re
from enum import StrEnum

from careloop.safety.text.result import Qualifier
from careloop.safety.text.segment import Segment, Token, clause_bounds, tokens


class Person(StrEnum):
    FIRST = "first"  # the writer
    THIRD = "third"  # someone else
    GENERIC = "generic"  # "you"/"people" in general
    RESOLVE = "resolve"  # a rule whose wording does not say: look at the words before it


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEGATION_WINDOW = 3  # content words between the cue and the match
PERSON_WINDOW = 8  # words looked back to find who the match is about

NEGATION_CUES = _words(
    """not no never nor neither don't dont doesn't doesnt didn't didnt won't wont wouldn't wouldnt
    isn't isnt aren't arent wasn't wasnt haven't havent hasn't hasnt hadn't hadnt shouldn't
    shouldnt longer nunca jamás jamas tampoco ni
    pas jamais ne n'ai n'est n'a n'avais aucune aucun
    não nao nem
    nicht nie niemals kein keine keinesfalls
    لا لن لم ما مش مو ولا ولن ولم ليس لست"""
)
# German puts the negation inside the span the rule matched ("mich nicht umbringen").
INNER_NEGATION = _words("nicht nie niemals keinesfalls")
# Words that may sit between a negation and what it negates without breaking the link.
_TRANSPARENT = _words(
    """really actually even ever just honestly truly seriously necessarily literally anymore me te
    se lo la le nos realmente ya de verdad
    veux vais voudrais pense quero vou penso möchte werde"""
)
# A cue followed by these words is not a negation of what comes later.
_PSEUDO_NEGATION = re.compile(
    r"^(?:no\s+(?:one|body|matter|doubt|wonder|s[eé]\s|se\s+si|puedo|aguanto|soporto|dejo|tengo\s+a\s+nadie"
    r"|hay\s+d[ií]a)|not\s+(?:only|sure|just)|(?:don'?t|do\s+not|dont)\s+(?:know|care)"
    r"|never\s+(?:mind|knew)|ne\s+sais|pas\s+s[uû]r|n[aã]o\s+sei|nicht\s+sicher|wei(?:ß|ss)\s+nicht"
    r"|لا\s+[اأ]عرف)",
    re.IGNORECASE,
)
# "Why shouldn't I kill myself?", "why not just end it": asking for a reason not to is no denial.
_WHY_NOT = re.compile(r"\bwhy\s+(?:(?:should|would|can|do)\s+)?$", re.IGNORECASE)
_TRYING_NOT = re.compile(
    r"\b(?:try|trying|tried|hard|struggl\w*|fight\w*)\s+not\s*$", re.IGNORECASE
)

_HYPOTHETICAL_BEFORE = re.compile(
    r"\b(?:if|what\s+if|suppose|supposing|imagine|imagining|hypothetically|pretend\w*|in\s+case"
    r"|fiction\w*|character|y\s+si|si|qu[eé]\s+pasar[ií]a|imagina\w*|supongamos|suponiendo"
    r"|hipot[eé]ticamente|personaje|por\s+si|et\s+si|imaginons|e\s+se|caso|falls|angenommen"
    r"|stell\s+dir\s+vor|ثم\s+لو|لو|إذا|اذا)\b"
    r"|\bin\s+(?:a|the|my|this)\s+(?:story|movie|film|book|novel|game|show|series|dream)\b"
    r"|\ben\s+(?:una|la|mi|esta)\s+(?:historia|pel[ií]cula|novela|serie|juego|sue[nñ]o)\b",
    re.IGNORECASE,
)
_IF_AFTER = re.compile(
    r"\b(?:if|si|unless|a\s+menos\s+que)\b(?!\s+(?:i'?m\s+(?:being\s+)?honest|i\s+am\s+(?:being\s+)?honest"
    r"|that\s+makes\s+sense|you\s+know\s+what\s+i\s+mean|anything|soy\s+honest[oa]))",
    re.IGNORECASE,
)
# "if" meaning "whether" ("I don't know if ...", "I wonder if ...") is not a hypothetical.
_WHETHER_IF = re.compile(
    r"\b(?:know|wonder\w*|sure|ask\w*|see|decid\w*|unsure|idk|dunno|care|s[eé]|pregunto)\s+if\b"
    r"|\b(?:s[eé]|pregunto|importa)\s+si\b",
    re.IGNORECASE,
)

FIRST_PERSON = _words(
    """i i'm im i've ive i'd i'll me my myself mine we we're our us yo mi mis conmigo soy estoy
    tengo siento quiero pienso hice tuve intenté intente je j' moi j'ai suis veux vais eu
    estou quero vou ich mich mir bin أنا"""
)
THIRD_PERSON = _words(
    """he she they him her his them their he's she's they're friend friends bff bf gf boyfriend
    girlfriend brother sister bro sis mom mum mother dad father son daughter wife husband
    partner cousin uncle aunt grandma grandpa grandmother grandfather roommate classmate
    coworker colleague kid child student teen niece nephew fiance fiancé fiancée ex sibling
    parents él ella ellos ellas amigo amiga amigos amigas hermano hermana mamá madre papá padre
    hijo hija esposo esposa novio novia pareja primo prima tío tía tio tia abuelo abuela
    compañero compañera vecino vecina está tiene quiere hero character protagonist guy girl boy
    man woman lady dude teacher neighbor neighbour celebrity actor singer il elle ils elles
    ami amie frère soeur sœur mère père fils fille ele eles elas amigo irmão irmã mãe pai
    filho filha er freund freundin bruder schwester mutter vater sohn tochter هو هي هم صديقي
    صديقتي أخي أختي أمي أبي ابني ابنتي"""
)
GENERIC_PERSON = _words(
    """you your you're youre u ur yourself people anyone anybody everyone everybody someone
    somebody persons gente alguien nadie uno usted ustedes tu toi vous você vocês du dich
    ihr أنت انت"""
)

_NUMBER = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple(?:\s+of)?"
    r"|several|many|few|un|una|unos|unas|dos|tres|cuatro|cinco|varios|varias|muchos|muchas)"
)
_AGO = re.compile(
    rf"\b(?P<n>{_NUMBER})\s+(?P<unit>day|week|month|year)s?\s+ago\b"
    rf"|\bhace\s+(?P<n_es>{_NUMBER})\s+(?P<unit_es>d[ií]a|semana|mes|año|ano)(?:s|es)?\b",
    re.IGNORECASE,
)
_REMOTE = re.compile(
    # "for the last year", "in the past few months", "since last year": still going on, not past.
    r"\b(?:used\s+to|years\s+ago|long\s+(?:time\s+)?ago"
    r"|in\s+the\s+past(?!\s+(?:few|couple|several|\d+|two|three|week|month|year|days?)\b)"
    r"|(?<!the\s)(?<!since\s)(?<!past\s)last\s+year|as\s+a\s+"
    r"(?:kid|child|teen(?:ager)?)|when\s+i\s+was\s+(?:a\s+|only\s+)?(?:kid|child|teen\w*|younger"
    r"|little|small|\d{1,2}|in\s+(?:high|middle|elementary|primary|secondary|grade)\s+school"
    r"|in\s+(?:college|uni\w*|school))|back\s+(?:in\s+(?:19|20)\d\d|in\s+(?:high\s+)?school"
    r"|in\s+college|in\s+the\s+day|then|when)|in\s+(?:19|20)\d\d|in\s+my\s+(?:teens|childhood)"
    r"|at\s+(?:age\s+)?\d{1,2}\b(?!\s*(?:am|pm|a\.m|p\.m|:|o'?clock|h\b|%))"
    r"|cuando\s+(?:era|ten[ií]a|estaba\s+en|iba)|de\s+(?:ni[nñ][oa]|peque[nñ][oa]|adolescente|joven)"
    r"|hace\s+(?:mucho(?:\s+tiempo)?|años|tiempo)|el\s+a[nñ]o\s+pasado|en\s+el\s+pasado|sol[ií]a"
    r"|a\s+los\s+\d{1,2}\s+a[nñ]os|en\s+(?:19|20)\d\d"
    r"|il\s+y\s+a\s+(?:des\s+ann[eé]es|longtemps|\d+\s+ans)|quand\s+j'[eé]tais|autrefois"
    r"|h[aá]\s+(?:anos|muito\s+tempo|\d+\s+anos)|quando\s+eu\s+era|antigamente"
    r"|vor\s+(?:jahren|langer\s+zeit|\d+\s+jahren)|als\s+ich\s+\w+\s+war|fr[uü]her"
    r"|منذ\s+سنوات|عندما\s+كنت|في\s+الماضي)",
    re.IGNORECASE,
)
_RECENT = re.compile(
    r"\b(?:yesterday|last\s+(?:night|week|weekend|month)|this\s+(?:week|morning|afternoon|month)"
    r"|earlier\s+today|the\s+other\s+day|recently|over\s+the\s+weekend|ayer|anoche"
    r"|(?:la|el)\s+(?:semana|mes|fin\s+de\s+semana)\s+pasad[oa]|esta\s+(?:semana|ma[nñ]ana|tarde)"
    r"|el\s+otro\s+d[ií]a|recientemente|hace\s+poco|este\s+mes"
    r"|hier|la\s+semaine\s+derni[eè]re|ontem|semana\s+passada|gestern|letzte\s+woche"
    r"|أمس|الأسبوع\s+الماضي)\b",
    re.IGNORECASE,
)
_IMMINENT = re.compile(
    r"\b(?:right\s+now|tonight|today|tomorrow|this\s+weekend|(?:very\s+)?soon|by\s+(?:tonight|"
    r"tomorrow|the\s+end\s+of\s+the\s+(?:day|week))|in\s+(?:an?|a\s+few|\d+)\s+(?:hours?|minutes?)"
    r"|ahora\s+mismo|esta\s+noche|hoy|(?<!esta\s)ma[nñ]ana|este\s+fin\s+de\s+semana|pronto"
    r"|en\s+(?:unas?|un\s+par\s+de)\s+(?:horas?|minutos?)"
    r"|ce\s+soir|cette\s+nuit|aujourd'hui|demain|maintenant|tout\s+de\s+suite"
    r"|hoje(?:\s+[aà]\s+noite)?|esta\s+noite|amanh[aã]|agora(?:\s+mesmo)?"
    r"|heute(?:\s+(?:nacht|abend))?|morgen|jetzt|gleich"
    r"|الليل[ةه]|اليوم|غدا|بكر[ةه]|الآن|هلق)\b",
    re.IGNORECASE,
)
_SMALL_NUMBERS = {"a": 1, "an": 1, "one": 1, "un": 1, "una": 1, "two": 2, "dos": 2, "three": 3}
_SMALL_NUMBERS |= {"tres": 3, "a couple": 2, "a couple of": 2, "a few": 3, "unos": 3, "unas": 3}


def _content_before(clause_tokens: list[Token]) -> list[Token]:
    return [t for t in clause_tokens if t.word not in _TRANSPARENT]


def negation_cue(text: str, clause_start: int, match_start: int) -> int | None:
    """Offset of a negation cue governing the match (within NEGATION_WINDOW content words)."""
    before = _content_before(tokens(text, clause_start, match_start))
    for distance, token in enumerate(reversed(before)):
        if distance >= NEGATION_WINDOW:
            return None
        if token.word in NEGATION_CUES:
            if _PSEUDO_NEGATION.match(text[token.start : match_start]):
                return None
            if _TRYING_NOT.search(text[clause_start : token.end]):
                return None
            if _WHY_NOT.search(text[clause_start : token.start]):
                return None
            return token.start
    return None


def inner_negation(text: str, start: int, end: int) -> int | None:
    """Offset of a German negation inside the matched span ("mich nicht umbringen")."""
    for token in tokens(text, start, end):
        if token.word in INNER_NEGATION:
            return token.start
    return None


def _is_whether(window: str, cue: re.Match[str]) -> bool:
    """'if' after "know/wonder/sure ..." means "whether": not a hypothetical."""
    return cue.group().lower() in {"if", "si"} and bool(
        _WHETHER_IF.search(window[max(0, cue.end() - 30) : cue.end()])
    )


def is_hypothetical(text: str, clause: tuple[int, int], match: tuple[int, int]) -> bool:
    """A conditional, supposition or fiction frame before the match, or an "if" after it."""
    before = text[clause[0] : match[0]]
    after = text[match[1] : clause[1]]
    if any(not _is_whether(before, cue) for cue in _HYPOTHETICAL_BEFORE.finditer(before)):
        return True
    return any(not _is_whether(after, cue) for cue in _IF_AFTER.finditer(after))


# A clause opened by a relative pronoun ("my brother, who struggled with ...") is about the noun
# before the comma: look back over it.
RELATIVE_PRONOUNS = _words("who whom whose quien quienes qui quem")


def person_of(text: str, clause_start: int, match_start: int, sentence_start: int = -1) -> Person:
    """Who the match is about: the nearest person word before it; the writer if none."""
    before = tokens(text, clause_start, match_start)[-PERSON_WINDOW:]
    if before and before[0].word in RELATIVE_PRONOUNS and 0 <= sentence_start < clause_start:
        antecedent = tokens(text, sentence_start, clause_start)[-PERSON_WINDOW:]
        before = antecedent + before
    for token in reversed(before):
        if token.word in FIRST_PERSON:
            return Person.FIRST
        if token.word in THIRD_PERSON:
            return Person.THIRD
        if token.word in GENERIC_PERSON:
            return Person.GENERIC
    return Person.FIRST


def _ago_qualifier(match: re.Match[str]) -> Qualifier:
    unit = (match.group("unit") or match.group("unit_es") or "").lower()
    amount = (match.group("n") or match.group("n_es") or "").lower()
    if unit.startswith(("day", "d", "week", "semana")):
        return Qualifier.RECENT_PAST
    if unit.startswith(("month", "mes")):
        number = int(amount) if amount.isdigit() else _SMALL_NUMBERS.get(amount, 99)
        # C-SSRS asks about behaviour "in the past 3 months"; "a few months" counts as recent.
        return Qualifier.RECENT_PAST if number <= 3 else Qualifier.REMOTE_PAST
    return Qualifier.REMOTE_PAST


def temporality(text: str, sentence: Segment, match: tuple[int, int]) -> Qualifier | None:
    """The time marker nearest to the match: in its clause if there is one, else its sentence."""
    clause = clause_bounds(sentence, match[0])
    found: list[tuple[bool, int, Qualifier]] = []
    markers = [(_REMOTE, Qualifier.REMOTE_PAST), (_RECENT, Qualifier.RECENT_PAST)]
    markers.append((_IMMINENT, Qualifier.IMMINENT))
    for regex, qualifier in (*markers, (_AGO, None)):
        for marker in regex.finditer(sentence.text):
            start = sentence.start + marker.start()
            outside = not clause[0] <= start < clause[1]
            kind = qualifier if qualifier is not None else _ago_qualifier(marker)
            found.append((outside, _distance(sentence.start, marker, match), kind))
    return min(found)[2] if found else None


def _distance(offset: int, marker: re.Match[str], match: tuple[int, int]) -> int:
    start, end = offset + marker.start(), offset + marker.end()
    if end <= match[0]:
        return match[0] - end
    if start >= match[1]:
        return start - match[1]
    return 0


def is_remote_past(text: str) -> bool:
    """A marker of more than about 3 months ago anywhere in `text` ("years ago", "at 16")."""
    if _REMOTE.search(text):
        return True
    return any(_ago_qualifier(m) is Qualifier.REMOTE_PAST for m in _AGO.finditer(text))


def is_question(sentence: Segment) -> bool:
    return sentence.text.rstrip("\"')]»”’ ").endswith("?")


def clause_of(sentence: Segment, match_start: int, *, over_commas: bool = False) -> tuple[int, int]:
    return clause_bounds(sentence, match_start, over_commas=over_commas)
