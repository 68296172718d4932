"""English rules for intent, plan, preparatory behaviour, attempts, self-harm and distress."""

from __future__ import annotations

from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, rule
from careloop.safety.text.patterns_en import DRUGS, END_LIFE, LOTS_OF, SELF
from careloop.safety.text.result import Construct

FIRST = Person.FIRST
FIXED = Polarity.FIXED
NOT_NEGATION = r"(?!(?:not|never|n't)\b)"

INTENT = [
    rule(
        "en.intent.going_to",
        Construct.INTENT,
        rf"\b(?:going\s+to|gonna|will|'ll|shall|about\s+to|ready\s+to|(?:have\s+|'ve\s+)?decided"
        rf"\s+to|made\s+up\s+my\s+mind\s+to|determined\s+to|intend(?:ing)?\s+to)"
        rf"\s+(?:{NOT_NEGATION}\w+\s+)?{END_LIFE}",
    ),
    rule(
        "en.intent.last_day",
        Construct.INTENT,
        r"\b(?:this\s+is|it'?s|this\s+will\s+be|today\s+is|tonight\s+is|will\s+be)\s+my\s+(?:last"
        r"|final)\s+(?:day|night|post|message|note|goodbye|words?|week|birthday|christmas)\b"
        r"|\b(?:tonight|today|tomorrow|this\s+weekend)\s+(?:is|will\s+be)\s+the\s+(?:night|day)\b",
        person=FIRST,
    ),
    rule(
        "en.intent.not_around_much_longer",
        Construct.INTENT,
        r"\b(?:won'?t|will\s+not|wont|am\s+not\s+going\s+to|'m\s+not\s+going\s+to)\s+be\s+(?:alive"
        r"|around)\s+(?:much\s+longer|for\s+(?:much\s+)?long|tomorrow|next\s+(?:week|month|year)"
        r"|any\s?more|in\s+a\s+(?:week|month|few\s+days))\b"
        r"|\b(?:won'?t|will\s+not|wont)\s+be\s+here\s+(?:much\s+longer|for\s+(?:much\s+)?long"
        r"|any\s?more)\b|\bnot\s+(?:going\s+to\s+)?(?:make\s+it|live)\s+(?:to|past|through|until)"
        r"\s+(?:my\s+)?(?:\w+\s+)?(?:birthday|christmas|new\s+year|next\s+week|the\s+weekend)\b",
        polarity=FIXED,
    ),
    # A farewell written as one (issue #18 item 13): final words, with no crisis word needed.
    rule(
        "en.intent.farewell",
        Construct.INTENT,
        r"\bby\s+the\s+time\s+(?:you|anyone|someone)\s+(?:reads?|sees?|finds?)\s+this\b"
        r"|\b(?:goodbye|good-bye|farewell)\s+(?:forever|cruel\s+world|world)\b"
        r"|\bthis\s+is\s+(?:my\s+)?(?:final\s+|last\s+)?goodbye\b",
        polarity=FIXED,
    ),
]

PLAN = [
    rule(
        "en.plan.planning",
        Construct.PLAN,
        rf"\b(?:plan(?:s|ned|ning)?|plotting|scheduled)\s+(?:to|on|for|how\s+(?:to|i'?(?:ll"
        rf"|m\s+going\s+to)))\s+(?:{NOT_NEGATION}\w+\s+){{0,2}}?(?:kill(?:ing)?\s+{SELF}"
        rf"|end(?:ing)?\s+(?:my\s+life|it\s+all)|tak(?:e|ing)\s+my\s+(?:own\s+)?life"
        rf"|commit(?:ting)?\s+suicide|suicide|my\s+(?:death|suicide)|overdos(?:e|ing)"
        rf"|hang(?:ing)?\s+{SELF})\b|\bsuicide\s+plans?\b|\bmy\s+exit\s+plan\b"
        rf"|\bplan(?:ning|ned)?\s+my\s+(?:suicide|death|exit)\b",
    ),
    rule(
        "en.plan.have_a_plan",
        Construct.PLAN,
        r"\b(?:have|'ve\s+got|got|made|came\s+up\s+with|worked\s+out|figured\s+out|already\s+have)"
        r"\s+(?:a|the|my)\s+(?:\w+\s+)?plan\b",
        needs_context=True,
    ),
    rule(
        "en.plan.when_where_how",
        Construct.PLAN,
        r"\b(?:picked|chosen|chose|set|decided\s+on|know|figured\s+out|worked\s+out)\s+(?:out\s+)?"
        r"(?:a|the|my|exactly)\s+(?:date|day|time|place|spot|location|method|bridge|building"
        r"|when|where|how)\b",
        needs_context=True,
    ),
]

PREPARATION = [
    rule(
        "en.preparatory_behaviour.note",
        Construct.PREPARATORY_BEHAVIOUR,
        r"\b(?:suicide|goodbye|farewell|good-bye)\s+(?:notes?|letters?|videos?)\b"
        r"|\b(?:wrote|written|writing|write|drafted|drafting|left|leave|leaving|finished|prepared)"
        r"\s+(?:a|my|the|some)\s+(?:\w+\s+)?notes?\s+(?:to|for)\s+(?:my\s+)?(?:family|parents|mom"
        r"|mum|dad|friends|everyone|loved\s+ones|kids|wife|husband)\b",
    ),
    rule(
        "en.preparatory_behaviour.stockpiling",
        Construct.PREPARATORY_BEHAVIOUR,
        rf"\b(?:stockpil\w+|hoard\w*|sav(?:ed|ing)\s+up|stash\w*)\s+(?:\w+\s+){{0,2}}?{DRUGS}\b",
    ),
    rule(
        "en.preparatory_behaviour.getting_the_means",
        Construct.PREPARATORY_BEHAVIOUR,
        r"\b(?:bought|buying|buy|got|ordered|ordering|purchased|collect\w*|gather\w*|hid(?:den|e"
        r"|ing)?|research\w*|look\w*\s+up|googl\w+)\s+(?:\w+\s+){0,3}?(?:rope|noose|gun|pistol"
        r"|shotgun|firearm|bullets?|pills|tablets|razor(?:\s+blades?)?|blades?|charcoal|helium"
        r"|poison|rat\s+poison|antifreeze|exit\s+bag|lethal\s+doses?|methods?)\b",
        needs_context=True,
    ),
    rule(
        "en.preparatory_behaviour.giving_things_away",
        Construct.PREPARATORY_BEHAVIOUR,
        r"\b(?:gave|giving|give|given)\s+away\s+(?:all\s+(?:of\s+)?)?(?:my|all\s+my)\s+(?:\w+\s+)?"
        r"(?:things|stuff|belongings|possessions|valuables|clothes|games|pets?|cat|dog|books)\b",
        person=FIRST,
    ),
    rule(
        "en.preparatory_behaviour.affairs_in_order",
        Construct.PREPARATORY_BEHAVIOUR,
        r"\b(?:wrote|writing|made|making|updat\w+|finaliz\w+|sort\w*\s+out|put\w*\s+in\s+order)"
        r"\s+(?:my|a)\s+(?:will|affairs|life\s+insurance|passwords?)\b",
        needs_context=True,
    ),
    rule(
        "en.preparatory_behaviour.goodbyes",
        Construct.PREPARATORY_BEHAVIOUR,
        r"\b(?:said|saying|say)\s+(?:my\s+)?(?:last\s+|final\s+)?goodbyes?\b"
        r"|\b(?:goodbye|good-bye|farewell)\s+(?:everyone|everybody|world|cruel\s+world|forever)\b",
        needs_context=True,
    ),
    rule(
        "en.preparatory_behaviour.rehearsal",
        Construct.PREPARATORY_BEHAVIOUR,
        r"\b(?:tied|tying|tie|made|making)\s+(?:a|the|my)\s+(?:noose|rope)\b"
        r"|\b(?:put|putting|had|wrapped)\s+(?:a|the)\s+(?:rope|noose|belt|cord)\s+(?:around|round"
        r"|on)\s+my\s+neck\b|\b(?:held|holding|hold|pressed|put)\s+(?:a|the)\s+(?:knife|gun|blade"
        r"|razor|pistol)\s+(?:to|against)\s+my\s+(?:throat|wrists?|head|neck|chest)\b"
        r"|\b(?:stood|standing|sat|sitting|climbed)\s+(?:on|at|over)\s+(?:the\s+)?(?:edge|ledge"
        r"|railing)\s+of\b|\b(?:pills|tablets)\s+(?:lined\s+up|in\s+my\s+hand|counted\s+out)\b",
    ),
]

ATTEMPT = [
    rule(
        "en.past_attempt.tried",
        Construct.PAST_ATTEMPT,
        rf"\b(?:tried|attempted|trying|attempting)\s+to\s+{END_LIFE}",
    ),
    rule(
        "en.past_attempt.an_attempt",
        Construct.PAST_ATTEMPT,
        r"\b(?:suicide|suicidal|overdose)\s+attempts?\b|\battempts?\s+(?:at|on)\s+(?:my|his|her"
        r"|their)\s+(?:own\s+)?life\b|\battempted\s+suicide\b"
        r"|\b(?:my|first|second|third|last|previous|\d+(?:st|nd|rd|th)?)\s+attempts?\b"
        r"(?=[^.]{0,60}\b(?:suicide|kill|die|overdose|hospital|survived)\b)",
    ),
    rule(
        "en.past_attempt.acts",
        Construct.PAST_ATTEMPT,
        rf"\b(?:overdosed|od'?d|took\s+an\s+overdose|hung\s+{SELF}|hanged\s+{SELF}"
        rf"|slit\s+my\s+(?:wrists?|throat)|shot\s+{SELF}|jumped\s+(?:off|in\s+front\s+of)"
        rf"|(?:took|swallowed|downed)\s+{LOTS_OF}\s+(?:\w+\s+){{0,2}}?{DRUGS})",
    ),
    rule(
        "en.past_attempt.survived",
        Construct.PAST_ATTEMPT,
        rf"\b(?:survived|woke\s+up\s+after|recovering\s+from|hospitali[sz]ed\s+(?:for|after))"
        rf"\s+(?:my|an?|the|another)\s+(?:\w+\s+)?(?:attempt|overdose|od)\b"
        rf"|\bfailed\s+(?:suicide|(?:at\s+)?killing\s+{SELF}|to\s+kill\s+{SELF}|attempt)\b"
        rf"|\b(?:almost|nearly)\s+(?:killed\s+{SELF}|succeeded|ended\s+(?:my\s+life|it))"
        rf"|\bsurvived\s+(?:a\s+)?suicide\b",
    ),
]

SELF_HARM = [
    rule(
        "en.self_harm.named",
        Construct.SELF_HARM,
        r"\bself[-\s]?(?:harm(?:ing|ed)?|injur(?:y|ies|e|ing|ed)|mutilat\w+)\b"
        r"|\bsh\s+(?:relapse|scars?|urges?)\b|\bnssi\b",
    ),
    rule(
        "en.self_harm.acts",
        Construct.SELF_HARM,
        rf"\b(?:cut|cutting|cuts|burn(?:ed|t|ing)?|harm(?:ed|ing)?|scratch(?:ed|ing)?|carv(?:e|ed"
        rf"|ing))\s+{SELF}\b|\b(?:cut|cutting|carv\w+)\s+(?:my\s+)?(?:arms?|legs?|thighs?"
        rf"|skin|wrists?)\b|\brelaps\w+\s+(?:on\s+|into\s+)?(?:cutting|self[-\s]?harm)\b",
    ),
    rule(
        "en.self_harm.urge",
        Construct.SELF_HARM,
        rf"\b(?:want|wanna|urge|urges|need|going|gonna|tempted)\s+(?:to\s+)?(?:hurt|harm|cut"
        rf"|burn)\s+{SELF}\b",
    ),
    rule(
        "en.self_harm.hurting_myself",
        Construct.SELF_HARM,
        rf"\b(?:hurt|hurting|punish(?:ed|ing)?|starv(?:e|ed|ing)|hit(?:ting)?|punch(?:ed|ing)?)"
        rf"\s+{SELF}\b",
        person=FIRST,
        weight=0.3,
    ),
]

DISTRESS = [
    # "I don't want to die, I just want the pain to stop": the wish for the pain to end, said
    # against a negated wish to die, is a passive wish to escape (issue #18 item 13), moderate.
    rule(
        "en.passive_ideation.not_die_but_pain_to_stop",
        Construct.PASSIVE_IDEATION,
        r"\b(?:don'?t|do\s+not|dont)\s+(?:really\s+)?want\s+to\s+die\b[^.!?]{0,40}?\b(?:just\s+)?"
        r"(?:want|need)\s+(?:the|this|all\s+the|my)\s+(?:pain|hurt|suffering)\s+to\s+(?:stop|end|go\s+away)"
        r"\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "en.distress.pain_to_stop",
        Construct.DISTRESS,
        r"\b(?:just\s+)?(?:want|need)\s+(?:the|this|all\s+the|my)\s+(?:pain|hurt|suffering)\s+to"
        r"\s+(?:stop|end|go\s+away)\b",
    ),
    rule(
        "en.distress.cannot_go_on",
        Construct.DISTRESS,
        r"\b(?:can'?t|cannot|can\s+not|cant)\s+(?:\w+\s+)?(?:go\s+on|keep\s+going|do\s+(?:this|it)"
        r"|take\s+(?:it|this)|handle\s+(?:it|this|life)|live\s+like\s+this|cope|bear\s+(?:it"
        r"|this))\s*(?:any\s?more|any\s+longer)\b|\bcan'?t\s+(?:go\s+on|live\s+like\s+this)\b",
        polarity=FIXED,
    ),
    rule(
        "en.distress.burden",
        Construct.DISTRESS,
        r"\b(?:i'?m|i\s+am|feel\s+like|i\s+feel)\s+(?:\w+\s+)?(?:a|such\s+a|just\s+a|the)\s+burden\b"
        r"|\bburden\s+(?:to|on)\s+(?:everyone|everybody|my\s+family|the\s+world|others|people)\b",
        person=FIRST,
    ),
    rule(
        "en.distress.hopeless",
        Construct.DISTRESS,
        r"\b(?:hopeless(?:ness)?|no\s+hope|lost\s+(?:all\s+)?hope|no\s+(?:way\s+out|escape|future)"
        r"|trapped|nothing\s+(?:will\s+)?(?:ever\s+)?get\s+better|never\s+gets?\s+better"
        r"|worthless)\b",
        polarity=FIXED,
    ),
]
