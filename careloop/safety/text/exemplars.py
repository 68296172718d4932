"""Exemplar sentences for semantic similarity, all written by the Careloop team for this purpose.

No sentence is taken or adapted from any dataset (the tuning data's licences do not allow
shipping it). Crisis exemplars carry the C-SSRS construct they illustrate; contrast exemplars
are non-crisis sentences that share crisis words (negations, hyperbole, someone else, the past),
so a sentence nearer to one of them than to any crisis exemplar counts for less. Everyday
exemplars are the baseline every sentence is measured against (semantic.py).
Changing this list changes the detector: bump DETECTOR_VERSION in detector.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from careloop.safety.text.exemplars_intl import CONTRAST_INTL, CRISIS_INTL, EVERYDAY_INTL, SUPPORT
from careloop.safety.text.result import Construct


@dataclass(frozen=True)
class Exemplar:
    exemplar_id: str
    construct: Construct | None  # None: a contrast or everyday exemplar
    text: str


def _group(prefix: str, construct: Construct | None, texts: tuple[str, ...]) -> list[Exemplar]:
    return [Exemplar(f"{prefix}.{n:02d}", construct, text) for n, text in enumerate(texts, 1)]


CRISIS = [
    *_group(
        "en.passive_ideation",
        Construct.PASSIVE_IDEATION,
        (
            "I wish I could go to sleep and never wake up.",
            "Everyone would be better off if I was not around anymore.",
            "I don't see any reason to keep living.",
            "Some days I just wish I was dead.",
            "I am so tired of being alive.",
            "Nobody would even notice if I disappeared for good.",
            "I don't want to exist anymore.",
            "What is the point of going on when nothing ever changes.",
            "I feel like my life is over and I am just waiting for it to end.",
        ),
    ),
    *_group(
        "en.active_ideation",
        Construct.ACTIVE_IDEATION,
        (
            "I keep thinking about killing myself.",
            "I want to end my life.",
            "I have been having suicidal thoughts again.",
            "Suicide feels like the only way out of this pain.",
            "I can't stop thinking about taking my own life.",
            "I am done fighting and I want it all to be over.",
            "I think about ending it every single day.",
            "Part of me wants to die and I am scared of that part.",
        ),
    ),
    *_group(
        "en.method",
        Construct.METHOD,
        (
            "I have been looking at the bridge and thinking about jumping.",
            "I keep thinking about taking all of my pills at once.",
            "I looked up how many tablets it would take to die.",
            "I know which way I would use to do it.",
        ),
    ),
    *_group(
        "en.intent",
        Construct.INTENT,
        (
            "I am going to kill myself tonight.",
            "I have made up my mind and I am going to do it.",
            "This is my last message, I won't be here tomorrow.",
            "I am ready to end it and nothing will stop me this time.",
        ),
    ),
    *_group(
        "en.plan",
        Construct.PLAN,
        (
            "I have worked out exactly how and when I am going to end my life.",
            "I have picked the date and the place.",
            "My plan is to do it this weekend when my family is away.",
        ),
    ),
    *_group(
        "en.preparatory_behaviour",
        Construct.PREPARATORY_BEHAVIOUR,
        (
            "I have written letters to my family to say goodbye.",
            "I have been saving up my medication for weeks.",
            "I gave away my things and said goodbye to my friends.",
            "I bought a rope yesterday.",
        ),
    ),
    *_group(
        "en.past_attempt",
        Construct.PAST_ATTEMPT,
        (
            "I tried to kill myself last month and woke up in hospital.",
            "I took an overdose but somebody found me in time.",
            "After my suicide attempt nothing has changed.",
        ),
    ),
    *_group(
        "en.self_harm",
        Construct.SELF_HARM,
        (
            "I started cutting myself again last night.",
            "Hurting myself is the only thing that makes the pain stop.",
        ),
    ),
    *_group(
        "es.passive_ideation",
        Construct.PASSIVE_IDEATION,
        (
            "Ojalá pudiera dormirme y no despertar nunca.",
            "Ya no quiero seguir viviendo.",
            "Todos estarían mejor sin mí.",
        ),
    ),
    *_group(
        "es.active_ideation",
        Construct.ACTIVE_IDEATION,
        (
            "No dejo de pensar en quitarme la vida.",
            "Tengo ganas de matarme.",
            "Pienso en el suicidio todos los días.",
        ),
    ),
    *_group(
        "es.intent",
        Construct.INTENT,
        (
            "Esta noche me voy a matar.",
            "Ya lo decidí, voy a acabar con todo.",
        ),
    ),
    *_group(
        "es.preparatory_behaviour",
        Construct.PREPARATORY_BEHAVIOUR,
        ("Escribí una carta de despedida para mi familia.",),
    ),
    *_group(
        "es.past_attempt",
        Construct.PAST_ATTEMPT,
        ("Intenté suicidarme el mes pasado.",),
    ),
]

CONTRAST = _group(
    "contrast",
    None,
    (
        "I would never kill myself, I have too much to live for.",
        "I am not suicidal, just exhausted and stressed.",
        "I used to feel suicidal years ago but I am doing well now.",
        "My friend told me she wants to die and I don't know how to help her.",
        "This homework is killing me.",
        "I almost died laughing at that video.",
        "That exam was so embarrassing I wanted to die.",
        "I'm dying to see the new movie.",
        "My grandfather died last year and I miss him.",
        "The character in the book kills himself at the end.",
        "How do I support someone who is thinking about suicide?",
        "I feel sad and lonely but I want to get better.",
        "I am looking forward to the weekend with my family.",
        "I have a plan for my exams next week.",
        "I bought new shoes and a phone case.",
        "Suicide prevention training at work was really useful.",
        "Nunca me haría daño, quiero vivir.",
        "Mi amiga dice que quiere morir y estoy preocupada por ella.",
        "Me muero de ganas de ir a la playa.",
    ),
)

# Everyday sentences, crisis words absent: the baseline a sentence must rise above. Short
# first-person sentences all resemble each other a little; subtracting the nearest of these
# removes that shared part (it raised precision at the recall target when tuning).
EVERYDAY = _group(
    "everyday",
    None,
    (
        "I had a long day at work and I am tired.",
        "I went for a walk with my dog this morning.",
        "My exams start next week and I am a bit nervous.",
        "I felt a little sad today but it passed.",
        "I argued with my sister about the dishes.",
        "I am looking forward to the weekend.",
        "I slept badly last night.",
        "My boss was annoyed with me in the meeting.",
        "I don't know what to cook for dinner.",
        "I miss my friends from school.",
        "I feel stressed about money this month.",
        "I played video games all evening.",
        "My phone broke and I need a new one.",
        "I am bored and there is nothing on TV.",
        "I had a headache most of the afternoon.",
        "I started a new job and it is going okay.",
        "My parents are annoying me lately.",
        "I feel lonely sometimes on Sundays.",
        "Can anyone recommend a good book?",
        "I think I have a crush on someone in my class.",
        "Me siento un poco cansada hoy.",
        "Tengo mucho trabajo esta semana.",
        "Hoy comí con mi familia.",
        "Estoy aburrido en casa.",
    ),
)

# Native exemplars of the other languages the app ships, and helper talk (exemplars_intl.py).
CRISIS += [
    Exemplar(f"{language}.{construct.value}.n{n:02d}", construct, text)
    for n, (language, construct, text) in enumerate(CRISIS_INTL, 1)
]
CONTRAST += [
    Exemplar(f"{lang}.contrast.n{n:02d}", None, t) for n, (lang, t) in enumerate(CONTRAST_INTL, 1)
]
EVERYDAY += [
    Exemplar(f"{lang}.everyday.n{n:02d}", None, t) for n, (lang, t) in enumerate(EVERYDAY_INTL, 1)
]
SUPPORTIVE = [
    Exemplar(f"{lang}.support.{n:02d}", None, t) for n, (lang, t) in enumerate(SUPPORT, 1)
]

EXEMPLARS = (*CRISIS, *CONTRAST, *EVERYDAY, *SUPPORTIVE)
