"""{% stepped_care_panel patient %}: the stepped-care section of the clinician's patient page
(care/_stepped_care.html). `patient` must come from care.selectors (patient_visible_to)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from careloop.care.views import stepped_care_context

if TYPE_CHECKING:
    from careloop.care.models import Patient

register = template.Library()


@register.inclusion_tag("care/_stepped_care.html", takes_context=True)
def stepped_care_panel(context: template.Context, patient: Patient) -> dict[str, Any]:
    request = context["request"]
    panel = stepped_care_context(request, request.user, patient)
    panel["csrf_token"] = context.get("csrf_token")
    return panel
