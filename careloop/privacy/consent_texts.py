"""The packaged plain-language consent documents (pure: no Django).

A service publishes version 1 of each from here; it may publish its own wording later (a new
version). Every treatment text states the safety exception, so the patient reads it before they
choose.
"""

from __future__ import annotations

from collections.abc import Callable

from careloop.privacy.policy import ConsentBasis, DataStream, PurposeOfUse, consent_basis


def _(text: str) -> str:
    """Marks a name for translation (`careloop messages` extracts it); pages translate it when
    they show it. The consent documents built here stay English (per-language texts: #14)."""
    return text


STREAM_NAMES: dict[DataStream, str] = {
    DataStream.PROFILE: _("who you are (name, year of birth, care team)"),
    DataStream.QUESTIONNAIRES: _("your questionnaire answers and scores"),
    DataStream.CHECKINS: _("your mood check-ins"),
    DataStream.JOURNAL: _("your journal"),
    DataStream.MESSAGES: _("your messages"),
    DataStream.DEVICE: _("data from your devices"),
    DataStream.SAFETY: _("risk alerts and your safety plan"),
}

PURPOSE_NAMES: dict[PurposeOfUse, str] = {
    PurposeOfUse.TREAT: _("your care"),
    PurposeOfUse.CAREMGT: _("supervision of your care"),
    PurposeOfUse.HOPERAT: _("improving the service"),
    PurposeOfUse.HRESCH: _("research"),
    PurposeOfUse.MLTRAINING: _("training computer models (AI)"),
    PurposeOfUse.ETREAT: _("emergency care"),
    PurposeOfUse.PATRQT: _("your own use"),
}

SAFETY_EXCEPTION = _(
    "One thing always reaches your care team: if something you enter suggests you may be at "
    "risk, an alert goes to them so they can check you are safe. They see that an alert was "
    "raised and why, even when you have stopped sharing the rest."
)

_PURPOSE_TEXT: dict[PurposeOfUse, str] = {
    PurposeOfUse.TREAT: _(
        "Your care team (your clinician and their supervisor) can see {stream} to plan and "
        "check your care."
    ),
    PurposeOfUse.HOPERAT: _(
        "The service uses {stream} to check how well it helps people, for example to count how "
        "many people get better. Only your measures are used, never your own words."
    ),
    PurposeOfUse.HRESCH: _(
        "Researchers approved by the service may use {stream}, without your name, to learn how "
        "to help people better."
    ),
    PurposeOfUse.MLTRAINING: _(
        "The service may use {stream}, without your name, to build and test computer programs "
        "(AI) that help clinicians."
    ),
}

_BASIS_TEXT: dict[ConsentBasis, str] = {
    ConsentBasis.REQUIRED: _(
        "This is part of receiving care here, so it cannot be switched off. If you do not want "
        "it, talk to your clinician about other ways to get help."
    ),
    ConsentBasis.OPT_OUT: _(
        "This is on unless you switch it off. You can switch it off or back on at any time, and "
        "it takes effect straight away."
    ),
    ConsentBasis.OPT_IN: _(
        "This is off unless you switch it on. You can change your mind at any time, and it takes "
        "effect straight away. Saying no does not change your care."
    ),
}


def _as_is(text: str) -> str:
    return text


def default_title(
    purpose: PurposeOfUse, stream: DataStream, translate: Callable[[str], str] = _as_is
) -> str:
    """The packaged title; `translate` (e.g. Django's gettext) gives it in another language."""
    name = translate("%(stream)s for %(purpose)s") % {
        "stream": translate(STREAM_NAMES[stream]),
        "purpose": translate(PURPOSE_NAMES[purpose]),
    }
    return f"{name[0].upper()}{name[1:]}"


def default_text(
    purpose: PurposeOfUse, stream: DataStream, translate: Callable[[str], str] = _as_is
) -> str:
    """The packaged text; with `translate`, the same text in another language."""
    basis = consent_basis(purpose, stream)
    parts = [
        translate(_PURPOSE_TEXT[purpose]).format(stream=translate(STREAM_NAMES[stream])),
        translate(_BASIS_TEXT[basis]),
    ]
    if purpose == PurposeOfUse.TREAT and stream != DataStream.SAFETY:
        parts.append(translate(SAFETY_EXCEPTION))
    return "\n\n".join(parts)
