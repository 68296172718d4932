"""Which tables hold data about a patient, found by walking the Django app registry.

A model is patient data when a chain of foreign keys leads from it to `care.Patient` or to the
user model (a patient's login), or when it has a column named like a patient reference
(`patient_id`, `patient_ref`, ...) or a generic pointer (`local_id`) that can name a patient's
record. The retention policy (`retention.py`) must classify every one of them; the inventory
test fails for any it does not.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from careloop.care.models import Patient

MAX_HOPS = 3  # e.g. InboxEntry -> Alert -> Patient; nothing in the schema is deeper today
_PATIENT_COLUMN_HINTS = ("patient", "subject", "username")  # sign-in logs name the login
_GENERIC_POINTERS = frozenset({"local_id"})
# Stores without a foreign key that still hold a patient's data: the session blob names the user;
# a bulk-export file holds many patients' resources as NDJSON text.
_KNOWN_KEYLESS = frozenset({"sessions.Session", "fhir.ExportPart"})


def _targets() -> tuple[type[models.Model], ...]:
    return (Patient, get_user_model())


def _leads_to_person(model: type[models.Model], hops: int) -> bool:
    if model in _targets():
        return True
    if hops == 0:
        return False
    for field in model._meta.concrete_fields:
        related = field.related_model
        is_link = field.is_relation and isinstance(related, type) and related is not model
        if is_link and _leads_to_person(related, hops - 1):  # type: ignore[arg-type]
            return True
    return False


def _names_a_patient(model: type[models.Model]) -> bool:
    for field in model._meta.concrete_fields:
        name = field.name.lower()
        if field.is_relation:
            continue
        if any(hint in name for hint in _PATIENT_COLUMN_HINTS) or name in _GENERIC_POINTERS:
            return True
    return False


def patient_data_models() -> dict[str, type[models.Model]]:
    """Label → model for every installed model that can hold data about a patient."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        label = model._meta.label
        keyless = model in _targets() or label in _KNOWN_KEYLESS
        if keyless or _leads_to_person(model, MAX_HOPS) or _names_a_patient(model):
            found[label] = model
    return found
