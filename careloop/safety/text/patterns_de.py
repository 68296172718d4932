"""German rules, written by us from the C-SSRS constructs (umlauts optional: "moechte", "mochte").

German puts the negation between pronoun and verb ("ich will mich nicht umbringen") and splits
verbs ("ich bringe mich um"), so these rules span the words in between; context.py looks for
"nicht"/"nie"/"niemals" inside such a span as well as before it.
"""

from __future__ import annotations

from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, rule
from careloop.safety.text.result import Construct

FIRST = Person.FIRST
THIRD = Person.THIRD
FIXED = Polarity.FIXED
AE, OE, UE, SS = "(?:ä|ae|a)", "(?:ö|oe|o)", "(?:ü|ue|u)", "(?:ß|ss)"
GAP = r"(?:\s+[^\W\d_]+){0,4}?"  # up to four words between pronoun and verb ("heute Nacht")
KILL_ME = (
    rf"(?:mich{GAP}\s+(?:umbringen|t{OE}ten|erh{AE}ngen|aufh{AE}ngen|erschie{SS}en|umzubringen)"
    rf"|mir{GAP}\s+das\s+leben\s+(?:nehmen|zu\s+nehmen)|(?:meinem|mein)\s+leben\s+ein\s+ende"
    rf"\s+(?:setzen|machen|zu\s+setzen)|bringe?\s+mich{GAP}\s+um\b|t{OE}te\s+mich\b)"
)

RULES_DE = [
    rule(
        "de.passive_ideation.want_to_die",
        Construct.PASSIVE_IDEATION,
        rf"\b(?:will|m{OE}chte|w{UE}rde\s+gern|w{UE}nschte|w{UE}nsche\s+mir)\s+(?:einfach\s+|nur\s+)?"
        rf"(?:nicht\s+|nie\s+)?(?:sterben|tot\s+sein|nicht\s+mehr\s+aufwachen)"
        rf"|\bw{UE}nschte,?\s+ich\s+w{AE}re\s+tot\b|\blebensm{UE}de\b",
        person=FIRST,
    ),
    rule(
        "de.passive_ideation.not_want_to_live",
        Construct.PASSIVE_IDEATION,
        rf"\b(?:will|m{OE}chte)\s+nicht\s+mehr\s+(?:leben|da\s+sein|hier\s+sein|existieren|aufwachen)"
        rf"|\bkeinen\s+grund\s+(?:mehr\s+)?(?:zu\s+leben|zum\s+leben|weiterzuleben)"
        rf"|\b(?:w{AE}ren|w{AE}re)\s+(?:alle\s+)?besser\s+dran\s+ohne\s+mich\b"
        rf"|\bm{UE}de\s+zu\s+leben\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "de.active_ideation.kill_myself",
        Construct.ACTIVE_IDEATION,
        rf"\b{KILL_ME}|\b(?:selbstmord|suizid)gedanken\b|\bbin\s+suizidal\b"
        rf"|\b(?:denke|dachte|nachdenken)\s+(?:st{AE}ndig\s+|oft\s+|daran\s+)?(?:an|(?:dar)?{UE}ber)"
        rf"\s+(?:selbstmord|suizid|mich\s+umzubringen)",
        person=FIRST,
    ),
    rule(
        # "heute Nacht mache ich Schluss" / "Schluss mit allem": ending it; not "Schluss mit ihm"
        # (a break-up) nor "Schluss für heute" (calling it a day).
        "de.active_ideation.end_it",
        Construct.ACTIVE_IDEATION,
        r"\b(?:mache\s+ich|ich\s+mache|werde\s+ich|ich\s+werde|will\s+ich|ich\s+will)"
        r"(?:\s+(?:heute|morgen|jetzt|nacht|abend|endlich|einfach))*\s+schluss"
        r"(?:(?:\s+machen)?(?=\s*(?:[.!;]|$))|\s+mit\s+(?:allem|dem\s+leben|meinem\s+leben))",
        person=FIRST,
    ),
    rule(
        "de.active_ideation.someone_else",
        Construct.ACTIVE_IDEATION,
        rf"\bsich{GAP}\s+(?:umbringen|umzubringen|t{OE}ten|das\s+leben\s+nehmen)\b|\bbringt\s+sich\s+um\b",
        person=THIRD,
    ),
    rule(
        "de.intent.going_to",
        Construct.INTENT,
        rf"\b(?:werde|habe\s+beschlossen,?|bin\s+bereit,?|bin\s+entschlossen,?)\s+(?:ich\s+)?"
        rf"{KILL_ME}|\bich\s+bringe\s+mich{GAP}\s+um\b",
        person=FIRST,
    ),
    rule(
        "de.plan.how_and_when",
        Construct.PLAN,
        rf"\b(?:habe\s+einen\s+plan|habe\s+alles\s+geplant|habe\s+den\s+tag\s+gew{AE}hlt)\b",
        person=FIRST,
        needs_context=True,
    ),
    rule(
        "de.method.means",
        Construct.METHOD,
        rf"\b(?:alle|meine)\s+(?:meine\s+)?(?:tabletten|pillen|medikamente)\s+(?:nehmen|schlucken)"
        rf"|\bvon\s+(?:der|einer|dem|einem)\s+(?:br{UE}cke|dach|hochhaus)\s+springen"
        rf"|\bvor\s+(?:den|einen)\s+zug\s+(?:werfen|springen)|\bpuls(?:adern)?\s+aufschneiden\b",
        person=FIRST,
    ),
    rule(
        "de.intent.farewell",
        Construct.INTENT,
        r"\blebt\s+(?:alle\s+)?wohl\b|\b(?:das\s+ist\s+)?(?:mein\s+letzter\s+(?:brief|eintrag|post)"
        r"|meine\s+letzte\s+nachricht)|\bwenn\s+ihr\s+(?:das|dies)\s+lest\b"
        r"|\bmorgen\s+bin\s+ich\s+nicht\s+mehr\s+(?:da|hier)\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "de.past_attempt.tried",
        Construct.PAST_ATTEMPT,
        rf"\b(?:selbstmord|suizid)versuch|\bversucht,?\s+{KILL_ME}|\b{KILL_ME}\s+versucht\b",
        person=FIRST,
    ),
    rule(
        "de.self_harm.acts",
        Construct.SELF_HARM,
        r"\bmich\s+(?:selbst\s+)?(?:ritzen|ritze|verletzen|verletze)\b|\bselbstverletzung\b",
        person=FIRST,
    ),
    rule(
        "de.distress.cannot_go_on",
        Construct.DISTRESS,
        r"\bkann\s+nicht\s+mehr\b|\bbin\s+(?:nur\s+)?eine\s+last\b|\bhoffnungslos\b",
        polarity=FIXED,
    ),
]
