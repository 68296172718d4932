"""French rules, written by us from the C-SSRS constructs (accents optional: people omit them).

French negation brackets the verb ("je ne veux pas mourir"): "pas"/"jamais"/"ne" are cues in
context.py, so the rules start at the verb or its object and the cue is found before them.
"""

from __future__ import annotations

from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, rule
from careloop.safety.text.result import Construct

FIRST = Person.FIRST
THIRD = Person.THIRD
FIXED = Polarity.FIXED
E, A = "[eéèê]", "[aàâ]"
KILL_ME = (
    rf"(?:me\s+tuer|me\s+suicider|me\s+donner\s+la\s+mort|mettre\s+fin\s+{A}\s+(?:mes\s+jours"
    rf"|ma\s+vie)|en\s+finir(?:\s+avec\s+(?:la\s+vie|tout|ma\s+vie))?|me\s+foutre\s+en\s+l'air"
    rf"|me\s+pendre|me\s+jeter\s+(?:du|d'un|de\s+la|sous)\s+\w+)"
)

RULES_FR = [
    rule(
        "fr.passive_ideation.want_to_die",
        Construct.PASSIVE_IDEATION,
        rf"\b(?:veux|voudrais|voulais|souhaite|aimerais)\s+(?:juste\s+)?(?:mourir|{E}tre\s+mort"
        rf"|dispara[iî]tre\s+pour\s+toujours|ne\s+plus\s+me\s+r{E}veiller)"
        rf"|\b(?:envie|besoin)\s+de\s+mourir\b",
        person=FIRST,
    ),
    rule(
        "fr.passive_ideation.not_want_to_live",
        Construct.PASSIVE_IDEATION,
        rf"\bne\s+(?:veux|voudrais|souhaite)\s+plus\s+(?:vivre|exister|{E}tre\s+l{A}|me\s+r{E}veiller)"
        rf"|\b(?:aucune|pas\s+de|plus\s+de|aucun)\s+(?:raison|envie|sens)\s+(?:de|{A})\s+vivre\b"
        rf"|\b(?:seraient|serait|serions|seront)\s+mieux\s+sans\s+moi\b"
        rf"|\bmarre\s+de\s+(?:vivre|la\s+vie|exister)\b|\bfatigu{E}e?\s+de\s+vivre\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "fr.active_ideation.kill_myself",
        Construct.ACTIVE_IDEATION,
        rf"\b{KILL_ME}"
        rf"|\b(?:pense|pens{E}|penser|songe)\s+(?:au\s+suicide|{A}\s+{KILL_ME})"
        rf"|\b(?:id{E}es?|pens{E}es?)\s+suicidaires?\b|\bje\s+suis\s+suicidaire\b",
        person=FIRST,
    ),
    rule(
        "fr.active_ideation.someone_else",
        Construct.ACTIVE_IDEATION,
        r"\bse\s+(?:tuer|suicider|donner\s+la\s+mort|foutre\s+en\s+l'air|pendre)\b",
        person=THIRD,
    ),
    rule(
        "fr.intent.going_to",
        Construct.INTENT,
        rf"\b(?:vais|veux|compte|suis\s+d{E}cid{E}e?\s+{A}|ai\s+d{E}cid{E}\s+de|suis\s+pr[eê]te?\s+{A})"
        rf"\s+(?:vraiment\s+)?{KILL_ME}",
        person=FIRST,
    ),
    rule(
        "fr.plan.how_and_when",
        Construct.PLAN,
        rf"\b(?:j'ai|ai)\s+(?:un\s+plan|tout\s+pr{E}vu|tout\s+planifi{E}|choisi\s+(?:le\s+jour|la\s+date"
        rf"|comment))\b",
        person=FIRST,
        needs_context=True,
    ),
    rule(
        "fr.method.means",
        Construct.METHOD,
        rf"\b(?:prendre|avaler)\s+(?:toutes?\s+)?(?:mes|les|des|une\s+bo[iî]te\s+de)\s+(?:m{E}dicaments"
        rf"|cachets|pilules|comprim{E}s)|\bsauter\s+(?:du|d'un|de\s+la|d'une)\s+(?:pont|toit|immeuble"
        rf"|fen[eê]tre|falaise)|\bme\s+couper\s+les\s+veines\b|\bacheter\s+une\s+corde\b",
        person=FIRST,
    ),
    rule(
        "fr.intent.farewell",
        Construct.INTENT,
        rf"\b(?:adieu|au\s+revoir)\s+(?:{A}\s+tous|tout\s+le\s+monde|pour\s+toujours)"
        rf"|\bc'est\s+mon\s+dernier\s+(?:message|mot|au\s+revoir)|\bquand\s+vous\s+lirez\s+(?:ceci|ce"
        rf"\s+message)|\bje\s+ne\s+serai\s+plus\s+l{A}\s+demain\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "fr.past_attempt.tried",
        Construct.PAST_ATTEMPT,
        rf"\b(?:essay{E}|tent{E})\s+de\s+{KILL_ME}|\b(?:fait|faite)\s+une\s+tentative\s+de\s+suicide"
        rf"|\bma\s+tentative\s+de\s+suicide\b",
        person=FIRST,
    ),
    rule(
        "fr.self_harm.acts",
        Construct.SELF_HARM,
        r"\bme\s+(?:scarifier|scarifie|mutiler|mutile|faire\s+du\s+mal|couper\s+les\s+bras)\b"
        r"|\bautomutilation\b",
        person=FIRST,
    ),
    rule(
        "fr.distress.cannot_go_on",
        Construct.DISTRESS,
        r"\bn'en\s+peux\s+plus\b|\bsuis\s+un\s+fardeau\b|\bplus\s+aucun\s+espoir\b"
        r"|\bsans\s+espoir\b",
        polarity=FIXED,
    ),
]
