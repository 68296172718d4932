"""{% ai_suggestions_panel patient %}: the computer-assisted suggestions section of the
clinician's patient page (ai/_suggestions.html); `patient` must come from care.selectors
(patient_visible_to), as the page's own view opened it.

{% ai_override_rates_panel %}: how often the user's clinicians overrode suggestions, by
clinician, model and patient group (ai/_override_rates.html), for the service dashboard and
the supervisor's review list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from careloop.accounts.types import CARE_TEAM_ROLES
from careloop.ai.plain_words import group_name, plain
from careloop.ai.selectors.oversight import latest_prediction_of, override_rates, suggestions_of
from careloop.ai.selectors.registry import model_versions_for, switched_off
from careloop.ai.types import (
    NOTE_MAX_CHARS,
    ModelKind,
    RiskBand,
    SuggestionSource,
    SuggestionStatus,
)
from careloop.care.selectors import may_write

if TYPE_CHECKING:
    from django.http import HttpRequest

    from careloop.accounts.models import User
    from careloop.care.models import Patient

register = template.Library()

_KIND_OF_SOURCE: dict[str, str] = {
    SuggestionSource.RULES: ModelKind.STEPPED_CARE_RULES,
    SuggestionSource.MODEL: ModelKind.EARLY_WARNING,
}
_DECISION_WORDS = {
    "accept": gettext_lazy("Accept: follow the suggestion"),
    "override": gettext_lazy("Override: do not follow it"),
    "defer": gettext_lazy("Defer: decide later"),
}


def _effect(log_odds: float) -> str:
    if log_odds >= 0.05:
        return _("raises the estimate")
    if log_odds <= -0.05:
        return _("lowers the estimate")
    return _("little effect")


def _without_direction(words: str) -> str:
    """The explanation's sentence without its trailing "(raises the risk)": the table says
    the direction in its own column."""
    head, sep, _tail = words.rpartition(" (")
    return head if sep and words.endswith(")") else words


def _main_reasons(reasons: list[str]) -> list[str]:
    """The reasons that moved the suggestion (an input of "little effect" is in the estimate's
    table, not repeated under each suggestion)."""
    kept = [words for words in reasons if not words.endswith("(little effect)")]
    return kept or reasons[:1]


def _synthetic(version: Any) -> bool:
    return version is not None and "synthetic" in (
        f"{version.training_data} {version.provenance}".lower()
    )


def suggestions_context(
    request: HttpRequest,
    user: User,
    patient: Patient,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    submitted: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """What ai/_suggestions.html needs. `patient` must come from a selector."""
    versions = {(v.kind, v.version): v for v in model_versions_for(user)}
    cards = {key: version.id for key, version in versions.items()}
    prediction = latest_prediction_of(patient)
    rows = []
    for view in suggestions_of(patient):
        key = str(view.id)
        rows.append(
            {
                "view": view,
                "key": key,
                "open": view.status in (SuggestionStatus.OPEN, SuggestionStatus.DEFERRED),
                "reasons": _main_reasons(view.reasons),
                "card_id": cards.get((_KIND_OF_SOURCE[view.source], view.version)),
                "choices": [
                    (decision, _DECISION_WORDS[decision], reasons)
                    for decision, reasons in view.reason_choices.items()
                ],
                "errors": (errors or {}).get(key, {}),
                "submitted": (submitted or {}).get(key, {}),
            }
        )
    why = []
    if prediction is not None:
        why = [
            {
                "words": _without_direction(str(item.get("words", ""))),
                "effect": _effect(float(item.get("log_odds", 0.0))),
                "log_odds": float(item.get("log_odds", 0.0)),
            }
            for item in prediction.reasons
        ]
    return {
        "patient": patient,
        "prediction": prediction,
        "prediction_percent": round(prediction.probability * 100) if prediction else None,
        "prediction_band": RiskBand(prediction.band).label if prediction else "",
        "prediction_card_id": cards.get((ModelKind.EARLY_WARNING, prediction.version))
        if prediction
        else None,
        "why": why,
        "prediction_synthetic": _synthetic(
            versions.get((ModelKind.EARLY_WARNING, prediction.version)) if prediction else None
        ),
        "rows": rows,
        "has_open": any(row["open"] for row in rows),
        "model_off": switched_off(patient.service_id, ModelKind.EARLY_WARNING),
        "can_decide": user.role in CARE_TEAM_ROLES and may_write(user, patient),
        "note_max": NOTE_MAX_CHARS,
        "next_url": request.get_full_path(),
    }


@register.inclusion_tag("ai/_suggestions.html", takes_context=True)
def ai_suggestions_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    request = context["request"]
    panel = suggestions_context(request, request.user, patient)
    panel["csrf_token"] = context.get("csrf_token")
    panel["request"] = request
    return panel


@register.inclusion_tag("ai/_override_rates.html", takes_context=True)
def ai_override_rates_panel(context: template.Context) -> dict[str, Any]:
    """Counts only (no patient named): a clinician or supervisor sees their teams' patients,
    the service admin the whole service. Rates over fewer than 5 decisions are hidden."""
    user = context["request"].user
    report = override_rates(user)
    by_group = [
        (
            plain(dimension),
            sorted((group_name(dimension, group), rate) for group, rate in groups.items()),
            f"ai-rates-group-{number}",
        )
        for number, (dimension, groups) in enumerate(sorted(report.by_group.items()), 1)
    ]
    return {
        "report": report,
        "by_clinician": sorted(report.by_clinician.items()),
        "by_model": sorted(report.by_model.items()),
        "by_group": by_group,
        "by_reason": sorted(report.by_reason.items(), key=lambda item: -item[1]),
    }
