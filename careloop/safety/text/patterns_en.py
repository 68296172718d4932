"""English rules, written by us from the C-SSRS constructs (no dataset text was copied).

Each rule says what the words evidence; context.py decides whether they are negated,
hypothetical, about someone else or in the past, and scoring.py how much that leaves.
"""

from __future__ import annotations

from careloop.safety.text.context import Person
from careloop.safety.text.lexicon import Polarity, rule
from careloop.safety.text.result import Construct

FIRST = Person.FIRST
FIXED = Polarity.FIXED

SELF = r"my\s*self"
# Ways of saying "end my own life", reused by the intent, plan and attempt rules.
END_LIFE = (
    rf"(?:kill\s+{SELF}|end\s+(?:my\s+(?:own\s+)?life|it\s+all|it(?=\s*(?:[.,!;]|$|now|tonight"
    rf"|today|soon|for\s+good|this\s+time|once)))|take\s+my\s+(?:own\s+)?life|commit\s+suicide"
    rf"|hang\s+{SELF}|shoot\s+{SELF}|drown\s+{SELF}|overdose|jump\s+(?:off|in\s+front))"
)
DRUGS = (
    r"(?:pills|tablets|meds|medications?|painkillers|sleeping\s+pills|tylenol|paracetamol"
    r"|ibuprofen|acetaminophen|insulin|antidepressants|xanax|benzos|opioids|oxy\w*|advil|aspirin"
    r"|lithium|sertraline|prozac|rx|melatonin|benadryl)"
)
LOTS_OF = (
    r"(?:all(?:\s+of)?\s+(?:my|the|these|those|her|his)|a\s+(?:whole\s+)?(?:bottle|box|pack"
    r"|handful|bunch)\s+of|the\s+(?:whole|entire)\s+(?:bottle|box|pack)(?:\s+of)?|enough"
    r"|a\s+lot\s+of|lots\s+of|too\s+many|\d{2,})"
)
NOT_HYPERBOLE = r"(?!\s+(?:of|from|laughing|inside|alone)\b)"
CLAUSE_END = r"(?=\s*(?:[.,!;?]|$|any\s?more|again|like\s+this|living|forever|tomorrow|ever))"

PASSIVE = [
    rule(
        "en.passive_ideation.want_to_die",
        Construct.PASSIVE_IDEATION,
        rf"\b(?:want|wants|wanted|wanting|wanna|wish|wishes|wished|need|needs|longing|long|ready)"
        rf"\s+(?:to\s+)?die\b{NOT_HYPERBOLE}",
    ),
    rule(
        "en.passive_ideation.wish_dead",
        Construct.PASSIVE_IDEATION,
        r"\b(?:wish|wished|wishing|hope|hoping|pray|praying)\s+(?:that\s+)?i(?:'d)?\s+(?:was|were"
        r"|could\s+be|would\s+be|had\s+been|be)\s+dead\b"
        r"|\bwish(?:ed|ing)?\s+(?:that\s+)?i\s+(?:could|would|might)\s+(?:just\s+)?(?:die|disappear"
        r"|vanish|stop\s+existing|cease\s+to\s+exist|not\s+wake\s+up|never\s+wake\s+up)"
        r"|\bwish(?:ed|ing)?\s+(?:that\s+)?i\s+(?:was|were|had)\s+never\s+(?:been\s+)?born\b"
        r"|\b(?:hope|hoping|pray|praying|wish|wishing)\s+(?:that\s+)?i\s+(?:die|don'?t\s+wake\s+up"
        r"|never\s+wake\s+up|won'?t\s+wake\s+up|get\s+hit\s+by|drop\s+dead)",
        person=FIRST,
    ),
    rule(
        "en.passive_ideation.never_wake_up",
        Construct.PASSIVE_IDEATION,
        r"\b(?:go\s+to\s+sleep|fall\s+asleep|sleep)\s+(?:and|&)\s+(?:never|not)\s+wake\s+up\b",
        polarity=FIXED,
    ),
    rule(
        "en.passive_ideation.not_want_to_live",
        Construct.PASSIVE_IDEATION,
        rf"\b(?:don'?t|do\s+not|dont|no\s+longer|doesn'?t|didn'?t)\s+(?:\w+\s+){{0,2}}?(?:want|wanna"
        rf"|wish)\s+to\s+(?:live|be\s+alive|exist|be\s+here\s+any\s?more|be\s+on\s+this\s+(?:earth"
        rf"|planet)|keep\s+living|be\s+in\s+this\s+world|go\s+on{CLAUSE_END}"
        rf"|keep\s+going{CLAUSE_END}|wake\s+up{CLAUSE_END})",
        polarity=FIXED,
    ),
    rule(
        "en.passive_ideation.negated_wish_to_live",
        Construct.PASSIVE_IDEATION,
        r"\b(?:want|wanna|wish|plan|intend|care)\s+to\s+(?:live|be\s+alive|stay\s+alive"
        r"|keep\s+living|go\s+on\s+living)\b",
        polarity=Polarity.FLIP,
    ),
    rule(
        "en.passive_ideation.better_off_dead",
        Construct.PASSIVE_IDEATION,
        r"\bbetter\s+off\s+(?:dead|without\s+me|if\s+i\s+(?:was|were|wasn'?t|weren'?t|died|never))"
        r"|\b(?:would|'d)\s+be\s+better\s+(?:if\s+i\s+(?:was|were)\s+(?:dead|gone|never\s+born)"
        r"|without\s+me)|\bbetter\s+off\s+not\s+(?:being\s+)?(?:alive|born|here)",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "en.passive_ideation.no_reason_to_live",
        Construct.PASSIVE_IDEATION,
        r"\b(?:no|any|little|zero|nothing\s+left\s+to|not\s+(?:a|any|one)|what'?s\s+the|what\s+is"
        r"\s+the|see\s+no)\s+(?:\w+\s+)?(?:reasons?|point|purpose|will|motivation)\s+(?:to|in|of"
        r"|for)\s+(?:live|living|life|go(?:ing)?\s+on|keep(?:ing)?\s+going|be(?:ing)?\s+alive"
        r"|exist(?:ing)?|stay(?:ing)?\s+alive|wak(?:e|ing)\s+up)\b"
        r"|\bnothing\s+(?:left\s+)?to\s+live\s+for\b"
        r"|\b(?:lost|losing|lose)\s+(?:the|my|all)\s+(?:will|desire|reason)\s+to\s+live\b",
        polarity=FIXED,
    ),
    rule(
        "en.passive_ideation.tired_of_life",
        Construct.PASSIVE_IDEATION,
        r"\b(?:tired|sick|done|exhausted|weary)\s+(?:of|with)\s+(?:living|life|being\s+alive"
        r"|existing|this\s+life|my\s+life)\b",
    ),
    rule(
        "en.passive_ideation.stop_existing",
        Construct.PASSIVE_IDEATION,
        r"\b(?:want|wanna|wish|wished)\s+(?:i\s+could\s+|to\s+)?(?:just\s+)?(?:cease\s+to\s+exist"
        r"|stop\s+existing|not\s+exist|disappear\s+(?:forever|for\s+good|permanently))",
    ),
    rule(
        "en.passive_ideation.disappear",
        Construct.PASSIVE_IDEATION,
        r"\b(?:want|wanna|wish|wished)\s+(?:i\s+could\s+|to\s+)?(?:just\s+)?(?:disappear|vanish)\b",
        weight=0.3,
    ),
    rule(
        "en.passive_ideation.dont_care_if_i_die",
        Construct.PASSIVE_IDEATION,
        r"\b(?:don'?t|do\s+not|dont)\s+care\s+(?:if|whether)\s+i\s+(?:die|live|wake\s+up"
        r"|get\s+killed|end\s+up\s+dead)\b",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "en.passive_ideation.nobody_would_miss_me",
        Construct.PASSIVE_IDEATION,
        r"\b(?:no\s*one|nobody|no-one|who)\s+(?:would|will|'d|'ll)\s+(?:even\s+)?(?:miss|notice"
        r"|care|cry)\s+(?:about\s+)?(?:me\s+)?(?:if|when)\s+i\s+(?:was|were|am|'m|died|die"
        r"|disappeared|left|killed\s+my\s*self|was\s+gone|were\s+gone)",
        person=FIRST,
        polarity=FIXED,
    ),
    rule(
        "en.passive_ideation.rather_be_dead",
        Construct.PASSIVE_IDEATION,
        r"\b(?:i'?d|i\s+would)\s+(?:rather|prefer\s+to)\s+(?:be\s+dead|die|not\s+(?:exist|be\s+alive"
        r"|wake\s+up))\b",
        person=FIRST,
        weight=0.35,
    ),
    rule(
        "en.passive_ideation.hope_something_kills_me",
        Construct.PASSIVE_IDEATION,
        r"\b(?:hope|hoping|pray|praying|wish)\s+(?:that\s+)?(?:something|someone|a\s+\w+)"
        r"\s+(?:kills|hits|will\s+kill|would\s+kill|would\s+hit)\s+me\b",
        person=FIRST,
    ),
    rule(
        "en.passive_ideation.thinking_about_death",
        Construct.PASSIVE_IDEATION,
        r"\b(?:think|thinking|thought|thoughts|obsess\w*|fantasi[sz]\w*|dream\w*)\s+(?:about|of)"
        r"\s+(?:dying|death|being\s+dead|not\s+being\s+(?:here|alive)|my\s+(?:own\s+)?death)\b",
        weight=0.4,
    ),
]

# Issue #18 item 14: first-person phrasings that r/SuicideWatch posts of the tuning split used and
# no rule read (categorised misses in docs/safety/crisis-text-detector.md, "2.1.0").
PASSIVE_MORE = [
    rule(
        "en.passive_ideation.cannot_go_on",
        Construct.PASSIVE_IDEATION,
        r"\b(?:can'?t|cannot|can\s+not|cant)\s+(?:\w+\s+)?(?:go\s+on|keep\s+going|do\s+this"
        r"|live\s+like\s+this|keep\s+living)\s*(?:any\s?more|any\s+longer)\b"
        r"|\bcan'?t\s+(?:go\s+on|live\s+like\s+this|last\s+(?:much\s+)?longer)\b",
        polarity=FIXED,
        weight=0.4,  # at the alert, not above: "can't go on" is not yet a wish to die
    ),
    rule(
        "en.passive_ideation.way_out",
        Construct.PASSIVE_IDEATION,
        r"\b(?:the\s+only|my\s+only|need\s+a|want\s+a|looking\s+for\s+a|the\s+easy)\s+way\s+out"
        r"(?=\s*(?:[.,!;?]|$|now|already|anymore))|\btak(?:e|ing)\s+the\s+easy\s+way\b",
        weight=0.4,
    ),
]

ACTIVE = [
    rule(
        "en.active_ideation.kill_myself",
        Construct.ACTIVE_IDEATION,
        rf"\b(?:kill|killing|killed|off|offing|murder|murdering)\s+{SELF}\b|\bkms\b",
        person=FIRST,
    ),
    rule(
        "en.active_ideation.end_my_life",
        Construct.ACTIVE_IDEATION,
        r"\b(?:end|ending|take|taking)\s+my\s+(?:own\s+)?life\b|\bend(?:ing)?\s+it\s+all\b"
        r"|\bend(?:ing)?\s+(?:my|this)\s+existence\b",
        person=FIRST,
    ),
    rule(
        "en.active_ideation.suicidal",
        Construct.ACTIVE_IDEATION,
        r"\bcommit(?:ting|ted)?\s+suicide\b|\bsuicid(?:e|al)\s+(?:thoughts?|ideation|urges?"
        r"|feelings?|tendenc\w+|impulses?)\b|\bsuicidal\b"
        r"|\bsuicide\s+(?:is|seems|feels\s+like)\s+(?:the\s+|my\s+)?(?:only|best|answer|option)",
    ),
    rule(
        "en.active_ideation.thinking_about_suicide",
        Construct.ACTIVE_IDEATION,
        rf"\b(?:think|thinking|thought|thoughts|consider|considering|considered|contemplat\w+"
        rf"|fantasi[sz]\w*|obsess\w*|urges?)\s+(?:about\s+|of\s+|on\s+|to\s+)?(?:suicide"
        rf"|killing\s+{SELF}|kill\s+{SELF}|ending\s+(?:my\s+life|it\s+all)"
        rf"|taking\s+my\s+(?:own\s+)?life)\b",
    ),
    rule(
        "en.active_ideation.want_to_end_it",
        Construct.ACTIVE_IDEATION,
        r"\b(?:want|wanna|need|wish|ready)\s+(?:to\s+)?end\s+(?:it|this|everything|things"
        r"|my\s+suffering|the\s+pain)(?:\s+all)?(?=\s*(?:[.,!;]|$|now|tonight|today|for\s+good"
        r"|forever|once|soon|already|permanently))",
    ),
    rule(
        "en.active_ideation.want_it_to_end",
        Construct.ACTIVE_IDEATION,
        r"\b(?:want|wanna|need|wish)\s+(?:it|this|everything|all\s+of\s+(?:this|it)|my\s+life)"
        r"\s+(?:all\s+)?to\s+(?:end|be\s+over)(?=\s*(?:[.,!;?]|$|now|already|for\s+good|soon))",
    ),
    rule(
        "en.active_ideation.my_suicide",
        Construct.ACTIVE_IDEATION,
        r"\bmy\s+(?:own\s+)?suicide\b(?!\s+(?:attempts?|notes?|letters?|prevention|hotline|risk"
        r"|survivor))|\b(?:on|put\s+on)\s+(?:\w+\s+)?suicide\s+watch\b"
        r"|\bon\s+the\s+(?:edge|verge|brink)\s+of\s+(?:suicide|killing\s+myself|ending\s+it)\b"
        r"|\b(?:suicide|killing\s+myself|ending\s+it\s+all)\s+(?:has\s+been\s+|keeps\s+|is\s+)?"
        r"(?:crossing|crossed|on)\s+my\s+mind\b"
        r"|\bsuicide\s+(?:is|seems|feels)\s+(?:like\s+)?(?:the|my)\s+(?:only\s+|best\s+)?(?:answer"
        r"|option|way\s+out|choice)\b|\bhow\s+is\s+suicide\s+not\s+the\s+answer\b",
        person=FIRST,
    ),
    rule(
        "en.active_ideation.about_others_in_general",
        Construct.ACTIVE_IDEATION,
        r"\b(?:kill|killing)\s+(?:your\s*self|ur\s*self|oneself)\b|\bkys\b",
        person=Person.GENERIC,
    ),
    rule(
        "en.active_ideation.someone_else",
        Construct.ACTIVE_IDEATION,
        r"\b(?:kill(?:ing|ed|s)?|hang(?:ing|ed|s)?|shot|shoot(?:ing|s)?)\s+(?:him|her|them)"
        r"sel(?:f|ves)\b|\btook\s+(?:his|her|their)\s+(?:own\s+)?life\b",
        person=Person.THIRD,
    ),
]

METHOD = [
    rule("en.method.overdose", Construct.METHOD, r"\b(?:overdos(?:e|ing)|o\.?d(?:ing)?\s+on)\b"),
    rule(
        "en.method.many_pills",
        Construct.METHOD,
        rf"\b(?:take|taking|took|swallow(?:ing|ed)?|down(?:ing|ed)?|chug(?:ging|ged)?"
        rf"|pop(?:ping|ped)?)\s+{LOTS_OF}"
        rf"\s+(?:\w+\s+){{0,2}}?{DRUGS}\b",
    ),
    rule("en.method.hang_myself", Construct.METHOD, rf"\bhang(?:ing)?\s+{SELF}\b", person=FIRST),
    rule("en.method.noose", Construct.METHOD, r"\bnoose\b"),
    rule(
        "en.method.jump_or_traffic",
        Construct.METHOD,
        rf"\b(?:jump(?:ing)?|throw(?:ing)?\s+{SELF}|leap(?:ing)?|step(?:ping)?|walk(?:ing)?"
        r"|run(?:ning)?)\s+(?:off|from|in\s+front\s+of|into|onto|under)\s+(?:a|the|my|an|some)?"
        r"\s*(?:\w+\s+)?(?:bridge|building|roof|rooftop|cliff|balcony|train|subway|bus|truck"
        r"|window|tower|highway|freeway|overpass|traffic|tracks|ledge|parking\s+garage"
        r"|skyscraper)\b|\b(?:drive|driving|crash|crashing|steer\w*)\s+(?:my\s+car\s+)?(?:into"
        r"|off)\s+(?:a|the|oncoming)\s+(?:tree|wall|pole|bridge|cliff|truck|traffic|barrier)\b",
    ),
    rule(
        "en.method.cut_wrists",
        Construct.METHOD,
        r"\b(?:slit(?:ting)?|slash(?:ing)?|cut(?:ting)?|slice|slicing|open(?:ing)?)\s+(?:open\s+)?"
        r"my\s+(?:wrists?|throat|veins?)\b",
        person=FIRST,
    ),
    rule(
        "en.method.firearm",
        Construct.METHOD,
        rf"\b(?:gun|pistol|shotgun|rifle|revolver|firearm|barrel)\s+(?:to|in|against|into)\s+my"
        rf"\s+(?:head|mouth|temple|chest)\b|\bshoot(?:ing)?\s+{SELF}\b|\bblow(?:ing)?\s+my\s+"
        rf"(?:brains?|head)\s+(?:out|off)\b|\bbullet\s+(?:in|through)\s+my\s+(?:head|brain|skull)\b",
        person=FIRST,
    ),
    rule(
        "en.method.other_means",
        Construct.METHOD,
        rf"\b(?:drown(?:ing)?|poison(?:ing)?|gas(?:sing)?|electrocut(?:e|ing)|suffocat(?:e|ing)"
        rf"|strangl(?:e|ing)|stab(?:bing)?)\s+{SELF}\b|\bcarbon\s+monoxide\b"
        rf"|\bhelium\s+(?:tank|hood|bag)\b|\bexit\s+bag\b",
    ),
    rule(
        "en.method.seeking_a_method",
        Construct.METHOD,
        r"\b(?:how|best\s+way|easiest\s+way|quickest\s+way|fastest\s+way|(?:most\s+)?painless(?:est)?"
        r"\s+way|least\s+painful\s+way|ways?|methods?)\s+(?:to|of|for)\s+(?:kill(?:ing)?\s+(?:my|your"
        r"|one)\s*self|die|dying|commit(?:ting)?\s+suicide|end(?:ing)?\s+(?:my|your|one'?s|a)\s+life"
        r"|overdos(?:e|ing)|suicide)\b"
        r"|\b(?:good|best|easy|easiest|quick|quickest|painless)\s+(?:ways?|places?|spots?)\s+to"
        r"\s+(?:\w+\s+)?(?:die|jump|hang)\b"
        r"|\bhow\s+many\s+(?:\w+\s+){0,2}?(?:pills|tablets|mg|milligrams)\b[^.?!]{0,40}\b(?:die"
        r"|kill|lethal|fatal|overdose|od)\b|\blethal\s+dose\b"
        r"|\b(?:painless|quick|peaceful)\s+(?:way\s+to\s+)?(?:death|suicide)\b",
        person=FIRST,  # asking for a method is the writer's risk, however it is phrased
        weight=0.7,
    ),
]
