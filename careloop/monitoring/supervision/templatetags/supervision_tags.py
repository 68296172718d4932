"""{% case_reviews_panel patient %}: the supervisor's case reviews of a patient, for the
clinician's patient page (supervision/_case_reviews.html). `patient` must come from
care.selectors (patient_visible_to)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from careloop.monitoring.supervision.views import case_reviews_context

if TYPE_CHECKING:
    from careloop.care.models import Patient

register = template.Library()


@register.inclusion_tag("supervision/_case_reviews.html", takes_context=True)
def case_reviews_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    request = context["request"]
    panel = case_reviews_context(request, request.user, patient)
    panel["csrf_token"] = context.get("csrf_token")
    panel["heading_level"] = 2
    return panel
