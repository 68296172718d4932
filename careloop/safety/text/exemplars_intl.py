"""Exemplar sentences in French, Portuguese, German and Arabic, and helper talk in every language.

All written by the Careloop team for this purpose, as plain first-person sentences (none taken
or adapted from any dataset). The multilingual model maps languages into one space, so English
exemplars already reach their translations; these native sentences make each language's own
turns of phrase count. SUPPORT sentences are what a helper writes to someone else ("please call
a crisis line"): a sentence nearer to them than to any crisis exemplar is not the writer's risk.
Changing this list changes the detector: bump DETECTOR_VERSION in detector.py.
"""

from __future__ import annotations

from careloop.safety.text.result import Construct

P, A, M, INTENT, PL = (
    Construct.PASSIVE_IDEATION,
    Construct.ACTIVE_IDEATION,
    Construct.METHOD,
    Construct.INTENT,
    Construct.PLAN,
)

# (language, construct, sentence)
CRISIS_INTL: tuple[tuple[str, Construct, str], ...] = (
    ("fr", P, "Je voudrais m'endormir et ne jamais me réveiller."),
    ("fr", P, "Tout le monde serait mieux sans moi."),
    ("fr", P, "Je n'ai plus aucune raison de vivre."),
    ("fr", A, "Je pense tout le temps à me suicider."),
    ("fr", A, "J'ai envie d'en finir avec la vie."),
    ("fr", INTENT, "Ce soir je vais mettre fin à mes jours."),
    ("fr", PL, "J'ai tout prévu, je sais comment et quand je vais le faire."),
    ("fr", INTENT, "C'est mon dernier message, adieu à tous."),
    ("pt", P, "Queria dormir e nunca mais acordar."),
    ("pt", P, "Todo mundo ficaria melhor sem mim."),
    ("pt", P, "Não vejo mais sentido em continuar vivendo."),
    ("pt", A, "Eu penso em me matar todos os dias."),
    ("pt", A, "Quero acabar com a minha vida."),
    ("pt", INTENT, "Hoje à noite eu vou me matar."),
    ("pt", PL, "Já planejei tudo, sei como e quando vou fazer."),
    ("pt", INTENT, "Esta é a minha última mensagem, adeus a todos."),
    ("de", P, "Ich möchte einschlafen und nie wieder aufwachen."),
    ("de", P, "Alle wären ohne mich besser dran."),
    ("de", P, "Ich sehe keinen Sinn mehr darin weiterzuleben."),
    ("de", A, "Ich denke ständig daran, mich umzubringen."),
    ("de", A, "Ich will meinem Leben ein Ende setzen."),
    ("de", INTENT, "Heute Nacht werde ich mich umbringen."),
    ("de", PL, "Ich habe alles geplant, ich weiß wie und wann ich es tue."),
    ("de", INTENT, "Das ist meine letzte Nachricht, lebt wohl."),
    ("ar", P, "أتمنى أن أنام ولا أستيقظ أبدا."),
    ("ar", P, "سيكون الجميع أفضل بدوني."),
    ("ar", P, "لم يعد هناك سبب لأعيش."),
    ("ar", A, "أفكر في الانتحار كل يوم."),
    ("ar", A, "أريد أن أنهي حياتي."),
    ("ar", INTENT, "الليلة سأقتل نفسي."),
    ("ar", PL, "خططت لكل شيء وأعرف كيف ومتى سأفعلها."),
    ("ar", INTENT, "هذه رسالتي الأخيرة، وداعا للجميع."),
)

EVERYDAY_INTL: tuple[tuple[str, str], ...] = (
    ("fr", "Je suis allé au marché ce matin avec ma sœur."),
    ("fr", "Le travail était fatigant mais la soirée était calme."),
    ("fr", "Je me sens un peu triste et inquiet ces jours-ci."),
    ("pt", "Fui ao mercado hoje de manhã com a minha irmã."),
    ("pt", "O trabalho foi cansativo mas a noite foi tranquila."),
    ("pt", "Ando um pouco triste e preocupado estes dias."),
    ("de", "Ich war heute Morgen mit meiner Schwester einkaufen."),
    ("de", "Die Arbeit war anstrengend, aber der Abend war ruhig."),
    ("de", "Ich bin in letzter Zeit etwas traurig und besorgt."),
    ("ar", "ذهبت إلى السوق صباح اليوم مع أختي."),
    ("ar", "كان العمل متعبا لكن المساء كان هادئا."),
    ("ar", "أشعر ببعض الحزن والقلق هذه الأيام."),
    ("en", "I have been feeling a bit low and worried lately."),
    ("en", "Work has been stressful and I am not sleeping well."),
    ("en", "I miss my friends and feel lonely some evenings."),
    ("es", "Últimamente me siento un poco triste y preocupado."),
)

# Non-crisis senses of crisis words in other languages (contrast, like exemplars.CONTRAST).
CONTRAST_INTL: tuple[tuple[str, str], ...] = (
    ("de", "Ich mache Schluss für heute, bis morgen."),
    ("de", "Ich habe mit meinem Freund Schluss gemacht."),
    ("fr", "Je suis mort de fatigue après cette journée."),
    ("ar", "سأموت من الجوع إذا لم نأكل الآن."),
)

SUPPORT: tuple[tuple[str, str], ...] = (
    ("en", "Please don't give up, you matter and people care about you."),
    ("en", "If you are thinking about suicide, please call a crisis line or talk to someone."),
    ("en", "I went through the same thing and it does get better, hang in there."),
    ("en", "You are not alone, please reach out to a doctor or a friend."),
    ("en", "Stay safe tonight and message me if you need to talk."),
    ("en", "Your life has value even if it does not feel like it right now."),
    ("es", "Por favor no te rindas, no estás solo y hay gente que te quiere."),
    ("fr", "S'il te plaît, ne reste pas seul, appelle une ligne d'écoute."),
    ("pt", "Por favor não desista, você não está sozinho, procure ajuda."),
    ("de", "Bitte gib nicht auf, du bist nicht allein, ruf die Telefonseelsorge an."),
    ("ar", "أرجوك لا تستسلم، أنت لست وحدك، تحدث مع أحد."),
)
