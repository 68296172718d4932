"""Forms of the clinician's alert pages (the same rules as the API, for server-rendered use)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy

from careloop.safety.types import SEVERITY_CHOICES, AlertOutcome

if TYPE_CHECKING:
    from careloop.care.models import Patient


class ActionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("What was done"), choices=AlertOutcome.choices)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        strip=True,
    )


class RaiseAlertForm(forms.Form):
    patient = forms.ChoiceField(label=gettext_lazy("Patient"))
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=SEVERITY_CHOICES)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        strip=True,
    )
    # Chosen when the form is shown: submitting it twice raises one alert.
    client_id = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args: Any, patients: list[Patient], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["patient"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.id), p.display_name) for p in patients]


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What you found"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
        strip=True,
    )
