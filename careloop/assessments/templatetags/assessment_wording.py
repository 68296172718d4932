"""Template filters that show a result in words (careloop.assessments.meaning), so no template
prints a stored code ("phq9@1.0.0", "phq9_item9_missing=None") or an empty cell for a missing
answer or score (issue #18 item 6, HZ-022)."""

from __future__ import annotations

from django import template

from careloop.assessments import meaning
from careloop.assessments.models import Assessment

register = template.Library()


@register.filter
def instrument_name(instrument_id_or_version: str) -> str:
    """ "PHQ-9" for "phq9" or "phq9@1.0.0"."""
    return meaning.instrument_short_name(str(instrument_id_or_version))


@register.filter
def instrument_title(instrument_id_or_version: str) -> str:
    """ "Patient Health Questionnaire-9 (PHQ-9)" for "phq9" or "phq9@1.0.0"."""
    return meaning.instrument_title(str(instrument_id_or_version))


@register.filter
def score_text(assessment: Assessment) -> str:
    """The total, or why there is none ("not scored: questions 1 and 2 not answered")."""
    return meaning.score_text(assessment)


@register.filter
def risk_labels(assessment: Assessment) -> list[str]:
    """'Q9: “Several days”' / 'Q9: not answered' per flagged risk item."""
    return meaning.risk_flag_labels(assessment)


@register.filter
def band_words(band: str) -> str:
    """A result's band in the page's language ("moderat", "متوسط"), for patients' pages."""
    return meaning.band_in_words(band)
