"""Arabic rules (Modern Standard, with common Levantine/Egyptian/Gulf forms), written by us.

Written without short vowels; alef, ya and ta marbuta variants are matched alike because people
type them interchangeably. A clitic "و" ("and") may lead a word.
"""

from __future__ import annotations

from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, rule
from careloop.safety.text.result import Construct

FIRST = Person.FIRST
THIRD = Person.THIRD
FIXED = Polarity.FIXED
ALEF = "[اأإآ]"
YA = "[يى]"
TA = "[ةه]"
W = "(?<![^\\W\\d_])و?"  # a word start with an optional "and"
WANT = rf"(?:{ALEF}ر{YA}د|بد{YA}|عا[يو]ز[ةه]?|ود{YA}|{ALEF}تمن{YA})"
KILL_ME = (
    rf"(?:{ALEF}قتل\s+نفس{YA}|{ALEF}نتحر|{ALEF}نه{YA}\s+ح{YA}ات{YA}|{ALEF}شنق\s+نفس{YA}"
    rf"|{ALEF}ن?هاء\s+ح{YA}ات{YA}|{ALEF}موت\s+ب{YA}د{YA})"
)

RULES_AR = [
    rule(
        "ar.passive_ideation.want_to_die",
        Construct.PASSIVE_IDEATION,
        rf"{W}{WANT}\s+(?:{ALEF}ن\s+)?{ALEF}موت|{W}{WANT}\s+(?:ال)?موت|{W}{ALEF}تمن{YA}\s+لو\s+مت",
        person=FIRST,
    ),
    rule(
        "ar.passive_ideation.not_want_to_live",
        Construct.PASSIVE_IDEATION,
        rf"{W}(?:لا|ما|مش|لم\s+{ALEF}عد)\s+{WANT}\s+(?:{ALEF}ن\s+)?(?:{ALEF}ع{YA}ش|الع{YA}ش|الح{YA}ا{TA})"
        rf"|{W}(?:لا\s+)?(?:{YA}وجد\s+)?(?:{ALEF}{YA}\s+)?سبب\s+(?:لل?ع{YA}ش|للح{YA}ا{TA}|ل{ALEF}ع{YA}ش)"
        rf"|{ALEF}فضل\s+بدون{YA}|تعبت\s+من\s+(?:الح{YA}ا{TA}|الع{YA}ش)",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "ar.active_ideation.kill_myself",
        Construct.ACTIVE_IDEATION,
        rf"{W}{KILL_ME}|{W}{ALEF}فكر\s+(?:ف{YA}|ب)\s*(?:ال{ALEF}نتحار|{KILL_ME})"
        rf"|{W}{ALEF}فكار\s+انتحار{YA}{TA}",
        person=FIRST,
    ),
    rule(
        "ar.active_ideation.someone_else",
        Construct.ACTIVE_IDEATION,
        rf"{W}(?:{YA}|ت)قتل\s+نفس(?:ه|ها)|{W}(?:{YA}|ت)نتحر",
        person=THIRD,
    ),
    rule(
        "ar.intent.going_to",
        Construct.INTENT,
        rf"{W}(?:س|سوف\s+|رح\s+|راح\s+|ح|ها|قررت\s+{ALEF}ن\s+)(?:{ALEF}قتل\s+نفس{YA}|{ALEF}نتحر"
        rf"|{ALEF}نه{YA}\s+ح{YA}ات{YA})",
        person=FIRST,
    ),
    rule(
        "ar.plan.how_and_when",
        Construct.PLAN,
        rf"{W}لد{YA}\s+خط{TA}|{W}خططت\s+لكل\s+ش{YA}ء",
        person=FIRST,
        needs_context=True,
    ),
    rule(
        "ar.method.means",
        Construct.METHOD,
        rf"{W}(?:{ALEF}قفز|{ALEF}رم{YA}\s+نفس{YA})\s+من\s+(?:فوق\s+)?(?:ال)?(?:جسر|مبن{YA}|سطح|شباك|نافذ{TA})"
        rf"|{W}(?:{ALEF}خذ|{ALEF}بلع|{ALEF}شرب)\s+كل\s+(?:ال)?(?:حبوب|{ALEF}دو{YA}{TA}|دوا)",
        person=FIRST,
    ),
    rule(
        "ar.intent.farewell",
        Construct.INTENT,
        rf"{W}وداعا\s*(?:للجم{YA}ع|{YA}ا\s+عالم|{ALEF}ل{YA}\s+ال{ALEF}بد)|{W}هذه\s+رسالت{YA}\s+ال{ALEF}خ{YA}ر{TA}"
        rf"|{W}عندما\s+تقر{ALEF}و(?:ن|ا)?\s*هذا|{W}لن\s+{ALEF}كون\s+هنا\s+غدا",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "ar.past_attempt.tried",
        Construct.PAST_ATTEMPT,
        rf"{W}حاولت\s+(?:{ALEF}ن\s+)?(?:{KILL_ME}|ال{ALEF}نتحار)|{W}محاول{TA}\s+انتحار",
        person=FIRST,
    ),
    rule(
        "ar.self_harm.acts",
        Construct.SELF_HARM,
        rf"{W}(?:{ALEF}جرح|{ALEF}ؤذ{YA}|{ALEF}ذ{YA})\s+نفس{YA}",
        person=FIRST,
    ),
    rule(
        "ar.distress.cannot_go_on",
        Construct.DISTRESS,
        rf"{W}لم\s+{ALEF}عد\s+{ALEF}حتمل|{W}لا\s+{ALEF}ستط{YA}ع\s+التحمل|{W}{ALEF}نا\s+عبء",
        polarity=FIXED,
    ),
]
