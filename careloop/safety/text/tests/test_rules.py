"""Table-driven rule tests (model off): each row is a sentence, the level it must get, and the
rule and qualifiers that must explain it. English and Spanish; negation, hypotheticals, third
person, past versus present."""

from __future__ import annotations

import pytest

from careloop.safety.text import Level, Qualifier, screen_text

pytestmark = pytest.mark.usefixtures("rules_only")

N, L, M, H = Level.NONE, Level.LOW, Level.MODERATE, Level.HIGH
NEG, HYP, Q = Qualifier.NEGATED, Qualifier.HYPOTHETICAL, Qualifier.QUESTION
THIRD, GEN = Qualifier.THIRD_PERSON, Qualifier.GENERIC
REMOTE, RECENT, NOW = Qualifier.REMOTE_PAST, Qualifier.RECENT_PAST, Qualifier.IMMINENT

# (text, level, rule id of the strongest rule span, its qualifiers)
ENGLISH = [
    ("I want to die.", M, "en.passive_ideation.want_to_die", ()),
    ("I wish I could go to sleep and never wake up.", M, "en.passive_ideation.never_wake_up", ()),
    ("I wish I was dead.", M, "en.passive_ideation.wish_dead", ()),
    ("I don't want to live anymore.", M, "en.passive_ideation.not_want_to_live", ()),
    ("There is no reason to live.", M, "en.passive_ideation.no_reason_to_live", ()),
    ("No one would miss me if I died.", M, "en.passive_ideation.nobody_would_miss_me", ()),
    (
        "I can't stop thinking about killing myself.",
        M,
        "en.active_ideation.thinking_about_suicide",
        (),
    ),
    ("I've been feeling suicidal.", M, "en.active_ideation.suicidal", ()),
    ("How many pills does it take to die?", M, "en.method.seeking_a_method", (Q,)),
    ("I keep thinking about how I'd hang myself.", M, "en.method.hang_myself", ()),
    ("I'm going to kill myself.", H, "en.intent.going_to", ()),
    ("This is my last message.", H, "en.intent.last_day", ()),
    ("I have a plan and I want to die.", H, "en.plan.have_a_plan", ()),
    ("I bought a rope. I want to end it all.", H, "en.preparatory_behaviour.getting_the_means", ()),
    ("I've been saving up my pills.", H, "en.preparatory_behaviour.stockpiling", ()),
    ("I wrote a suicide note.", H, "en.preparatory_behaviour.note", ()),
    ("I have been cutting myself again.", M, "en.self_harm.acts", ()),
    ("I'm a burden to everyone.", L, "en.distress.burden", ()),
    # 2.1.0: "can't do this anymore" said of oneself is at the alert (issue #18 item 14); "can't
    # take it anymore" stays a warning sign
    ("I can't do this anymore.", M, "en.passive_ideation.cannot_go_on", ()),
    ("I can't take it anymore.", L, "en.distress.cannot_go_on", ()),
    # negation, and the pseudo-negations that must not count as one
    ("I don't want to die.", N, "en.passive_ideation.want_to_die", (NEG,)),
    ("I would never kill myself.", N, "en.active_ideation.kill_myself", (NEG,)),
    ("I would never, ever kill myself.", N, "en.active_ideation.kill_myself", (NEG,)),
    ("I'm not suicidal, just tired.", N, "en.active_ideation.suicidal", (NEG,)),
    ("I'm not going to kill myself.", N, "en.intent.going_to", (NEG,)),
    ("I've never tried to kill myself.", N, "en.past_attempt.tried", (NEG,)),
    ("I'm trying not to kill myself.", M, "en.active_ideation.kill_myself", ()),
    ("I don't know why I want to die.", M, "en.passive_ideation.want_to_die", ()),
    ("I don't think I want to live.", M, "en.passive_ideation.not_want_to_live", ()),
    # hypotheticals and questions
    ("What if I killed myself?", L, "en.active_ideation.kill_myself", (HYP, Q)),
    ("If she leaves, I'll kill myself.", M, "en.intent.going_to", (HYP,)),
    ("In the movie the hero wants to die.", N, "en.passive_ideation.want_to_die", (HYP, THIRD)),
    ("I wonder if I should kill myself.", M, "en.active_ideation.kill_myself", ()),
    ("Why do I want to die?", M, "en.passive_ideation.want_to_die", (Q,)),
    # someone else, or people in general
    ("My friend wants to die.", L, "en.passive_ideation.want_to_die", (THIRD,)),
    ("My brother is suicidal.", L, "en.active_ideation.suicidal", (THIRD,)),
    ("He said he wants to kill himself.", L, "en.active_ideation.someone_else", (THIRD,)),
    ("Do you ever want to die?", L, "en.passive_ideation.want_to_die", (Q, GEN)),
    # past versus present
    ("I tried to kill myself years ago.", M, "en.past_attempt.tried", (REMOTE,)),
    ("I tried to kill myself last week.", H, "en.past_attempt.tried", (RECENT,)),
    ("I tried to kill myself two months ago.", H, "en.past_attempt.tried", (RECENT,)),
    ("I tried to kill myself six months ago.", M, "en.past_attempt.tried", (REMOTE,)),
    ("I tried to kill myself.", H, "en.past_attempt.tried", ()),
    ("When I was 15 I wanted to die.", L, "en.passive_ideation.want_to_die", (REMOTE,)),
    (
        "I used to think about suicide all the time.",
        L,
        "en.active_ideation.thinking_about_suicide",
        (REMOTE,),
    ),
    ("At 3am I wanted to die.", M, "en.passive_ideation.want_to_die", ()),
    ("I want to kill myself right now.", H, "en.active_ideation.kill_myself", (NOW,)),
    ("I want to die right now.", M, "en.passive_ideation.want_to_die", (NOW,)),
]

SPANISH = [
    ("Quiero morirme.", M, "es.passive_ideation.want_to_die", ()),
    ("Me quiero morir.", M, "es.passive_ideation.want_to_die", ()),
    ("Ya no quiero vivir.", M, "es.passive_ideation.not_want_to_live", ()),
    ("Todos estarían mejor sin mí.", M, "es.passive_ideation.better_off_without_me", ()),
    ("No tengo razones para vivir.", M, "es.passive_ideation.no_reason_to_live", ()),
    ("Pienso en suicidarme todos los días.", M, "es.active_ideation.thinking_about_suicide", ()),
    ("Tengo pensamientos suicidas.", M, "es.active_ideation.suicidal", ()),
    ("Voy a matarme.", H, "es.intent.going_to", ()),
    ("Esta noche me voy a matar.", H, "es.intent.going_to", (NOW,)),
    ("Tengo un plan. Quiero matarme.", H, "es.plan.have_a_plan", ()),
    ("Escribí una carta de despedida.", H, "es.preparatory_behaviour.note", ()),
    ("Me corto los brazos cuando estoy mal.", M, "es.self_harm.acts", ()),
    ("No puedo más, quiero morir.", M, "es.passive_ideation.want_to_die", ()),
    ("No quiero morir.", N, "es.passive_ideation.want_to_die", (NEG,)),
    ("No me quiero morir.", N, "es.passive_ideation.want_to_die", (NEG,)),
    ("Nunca me mataría.", N, "es.active_ideation.would_kill_myself", (NEG,)),
    ("No soy suicida.", N, "es.active_ideation.suicidal", (NEG,)),
    ("Si me deja, me mato.", M, "es.intent.going_to", (HYP,)),
    ("Mi amiga quiere morir.", L, "es.active_ideation.someone_else", (THIRD,)),
    ("Mi hermano se quiere matar.", L, "es.active_ideation.someone_else", (THIRD,)),
    ("Intenté suicidarme hace años.", M, "es.past_attempt.tried", (REMOTE,)),
    ("Intenté suicidarme la semana pasada.", H, "es.past_attempt.tried", (RECENT,)),
    ("Cuando era adolescente quería morirme.", L, "es.passive_ideation.want_to_die", (REMOTE,)),
]

# Everyday words that look like crisis language and must not raise anything.
NOT_CRISIS = [
    "This homework is killing me.",
    "I could die of embarrassment.",
    "I have a plan for the weekend.",
    "I bought pills at the pharmacy for my headache.",
    "I cut my hair yesterday.",
    "I want to live.",
    "Me corto el pelo mañana.",
    "Me muero de ganas de ir a la playa.",
    "Me mato estudiando para el examen.",
    "",
    "   \n  ",
]


@pytest.mark.parametrize(("text", "level", "rule_id", "qualifiers"), [*ENGLISH, *SPANISH])
def test_rule_table(
    text: str, level: Level, rule_id: str, qualifiers: tuple[Qualifier, ...]
) -> None:
    screen = screen_text(text)
    assert screen.level is level, screen.as_dict()
    rule_spans = [span for span in screen.evidence if span.rule_id is not None]
    strongest = max(rule_spans, key=lambda span: span.weight)
    assert strongest.rule_id == rule_id
    assert set(strongest.qualifiers) == set(qualifiers)


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_everyday_words_raise_nothing(text: str) -> None:
    screen = screen_text(text)
    assert screen.level is Level.NONE
    assert screen.evidence == ()


def test_past_attempt_counts_less_than_a_present_one() -> None:
    past = screen_text("I tried to kill myself years ago.")
    present = screen_text("I am going to kill myself right now.")
    assert past.score < present.score
    assert (past.level, present.level) == (Level.MODERATE, Level.HIGH)


def test_context_dependent_words_need_crisis_talk_in_the_same_text() -> None:
    assert screen_text("I have a plan.").level is Level.NONE
    assert screen_text("I have a plan. I don't want to live anymore.").level is Level.HIGH
    assert screen_text("I have a plan. My friend wants to die.").level is Level.LOW


def test_a_negated_phrase_takes_its_parts_with_it() -> None:
    screen = screen_text("I haven't tried to kill myself.")
    assert screen.level is Level.NONE
    assert [span.rule_id for span in screen.evidence] == ["en.past_attempt.tried"]


def test_the_strongest_of_several_statements_sets_the_level() -> None:
    text = "Years ago I tried to kill myself. I am fine now. Tonight I am going to kill myself."
    screen = screen_text(text)
    assert screen.level is Level.HIGH
    weights = {span.rule_id: span.weight for span in screen.evidence}
    assert weights["en.past_attempt.tried"] == pytest.approx(0.5)
    assert weights["en.intent.going_to"] == pytest.approx(0.85)


def test_no_language_screens_both_lexicons_and_a_language_only_its_own() -> None:
    mixed = "Estoy cansada. I want to die. Quiero morirme."
    assert {s.rule_id.split(".")[0] for s in screen_text(mixed).evidence if s.rule_id} == {
        "en",
        "es",
    }
    assert {s.rule_id for s in screen_text(mixed, language="es-MX").evidence} == {
        "es.passive_ideation.want_to_die"
    }
    assert screen_text(mixed, language="en").language == "en"
