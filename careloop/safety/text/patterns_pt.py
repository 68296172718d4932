"""Portuguese rules (European and Brazilian), written by us from the C-SSRS constructs.

Both clitic orders are matched ("me matar", "matar-me"); accents are optional.
"""

from __future__ import annotations

from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, rule
from careloop.safety.text.result import Construct

FIRST = Person.FIRST
THIRD = Person.THIRD
FIXED = Polarity.FIXED
A, E, OO, C = "[aáàâã]", "[eéê]", "[oóôõ]", "[cç]"
II, U = "[ií]", "[uú]"
KILL_ME = (
    rf"(?:me\s+matar|matar-me|me\s+suicidar|suicidar-me|tirar\s+(?:a\s+)?minha\s+(?:pr{OO}pria\s+)?vida"
    rf"|acabar\s+com\s+(?:a\s+)?minha\s+vida|acabar\s+com\s+tudo|me\s+enforcar|enforcar-me"
    rf"|me\s+jogar\s+(?:da|de\s+uma|do|de\s+um|na\s+frente)\s+\w+)"
)

RULES_PT = [
    rule(
        "pt.passive_ideation.want_to_die",
        Construct.PASSIVE_IDEATION,
        rf"\b(?:quero|queria|gostaria\s+de|desejo|preciso)\s+(?:s{OO}\s+)?(?:morrer|estar\s+mort[oa]"
        rf"|desaparecer\s+para\s+sempre|dormir\s+e\s+n{A}o\s+acordar)|\bvontade\s+de\s+morrer\b",
        person=FIRST,
    ),
    rule(
        "pt.passive_ideation.not_want_to_live",
        Construct.PASSIVE_IDEATION,
        rf"\bn{A}o\s+(?:quero|aguento)\s+mais\s+viver\b|\bn{A}o\s+quero\s+viver\s+mais\b"
        rf"|\b(?:nenhum|sem|n{A}o\s+tenho)\s+(?:motivo|raz{A}o|vontade)\s+(?:para|pra|de)\s+viver\b"
        rf"|\b(?:seria|seriam|estariam|ficariam)\s+melhor(?:es)?\s+sem\s+mim\b"
        rf"|\bcansad[oa]\s+de\s+viver\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "pt.active_ideation.kill_myself",
        Construct.ACTIVE_IDEATION,
        rf"\b{KILL_ME}|\b(?:penso|pensando|pensei|pensar)\s+em\s+(?:suic{II}dio|{KILL_ME})"
        rf"|\bpensamentos\s+suicidas\b|\bestou\s+suicida\b",
        person=FIRST,
    ),
    rule(
        "pt.active_ideation.someone_else",
        Construct.ACTIVE_IDEATION,
        r"\bse\s+(?:matar|suicidar|enforcar)\b|\b(?:matar|suicidar)-se\b",
        person=THIRD,
    ),
    rule(
        "pt.intent.going_to",
        Construct.INTENT,
        rf"\b(?:vou|irei|decidi|estou\s+decidid[oa]\s+a|estou\s+pront[oa]\s+para)\s+(?:mesmo\s+)?"
        rf"{KILL_ME}|\bvou-me\s+matar\b",
        person=FIRST,
    ),
    rule(
        "pt.plan.how_and_when",
        Construct.PLAN,
        rf"\b(?:tenho\s+um\s+plano|j{A}\s+planejei|j{A}\s+planeei|escolhi\s+o\s+dia)\b",
        person=FIRST,
        needs_context=True,
    ),
    rule(
        "pt.method.means",
        Construct.METHOD,
        rf"\b(?:tomar|engolir)\s+(?:todos\s+)?(?:os\s+)?(?:meus\s+)?(?:rem{E}dios|comprimidos"
        rf"|p{II}lulas|medicamentos)|\bpular\s+(?:da|de\s+uma|do|de\s+um)\s+(?:ponte|pr{E}dio"
        rf"|janela|pr{E}dio)|\bcortar\s+os\s+pulsos\b",
        person=FIRST,
    ),
    rule(
        "pt.intent.farewell",
        Construct.INTENT,
        rf"\badeus\s+(?:a\s+todos|para\s+sempre|mundo)|\b(?:esta|essa)\s+{E}\s+a\s+minha\s+{U}ltima"
        rf"\s+mensagem|\bquando\s+(?:voc{E}s\s+)?(?:lerem|lere?m)\s+isto|\bn{A}o\s+estarei\s+aqui"
        rf"\s+amanh{A}\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "pt.past_attempt.tried",
        Construct.PAST_ATTEMPT,
        rf"\btentei\s+(?:{KILL_ME}|o\s+suic[ií]dio)|\btentativa\s+de\s+suic[ií]dio\b",
        person=FIRST,
    ),
    rule(
        "pt.self_harm.acts",
        Construct.SELF_HARM,
        r"\bme\s+(?:cortar|cortei|cortando|machucar|machuco|machuquei)\b"
        r"(?!\s+(?:o|os|a|as)\s+(?:cabelo|unhas|barba|dedo))|\bautomutila[cç][aã]o\b",
        person=FIRST,
    ),
    rule(
        "pt.distress.cannot_go_on",
        Construct.DISTRESS,
        rf"\bn{A}o\s+aguento\s+mais\b|\bsou\s+um\s+(?:peso|fardo)\b|\bsem\s+esperan{C}a\b",
        polarity=FIXED,
    ),
]
