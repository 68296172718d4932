"""The patient data registry: every table that holds data about a patient says, in its own
domain's `patient_data.py`, how the patient's rows are exported, erased or held.

The rights domain (top layer) walks this registry for `patient export` and `patient erase`
instead of querying each domain's tables itself; the retention table
(`careloop.rights.data.retention`, pure) says *what* happens to each table, the registry says
*how*. Core sits below every domain, so any domain can register: its `patient_data` module calls
`register(...)` when imported, and `registered()` imports every installed app's `patient_data`
module the first time it is asked (like Django's admin autodiscovery).

The inventory below walks the schema (no query): a table with a chain of foreign keys to
`care.Patient` or to the user model (a patient's login), or a column that names a patient, is
patient data and must be registered — `unregistered()` lists those that are not, and the
registry test fails on any, so a new kind of patient data cannot be forgotten by export or
erasure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from careloop.accounts.models import User
    from careloop.care.models import Patient

EXPORT_CHUNK = 2000  # rows read per round trip while exporting (bounded memory)


@dataclass(frozen=True)
class PatientScope:
    """The patient whose data is walked, their login (if any), and — during erasure — the ids of
    rows of other types that a held record keeps as its evidence (label → ids)."""

    patient: Patient
    user: User | None
    pinned: Mapping[str, frozenset[uuid.UUID]] = field(default_factory=dict)

    def pinned_ids(self, label: str) -> frozenset[uuid.UUID]:
        return self.pinned.get(label, frozenset())


RowsOf = Callable[[PatientScope], Iterable[Any]]
CountOf = Callable[[PatientScope], int]
MomentOf = Callable[[PatientScope], datetime | None]
PinsOf = Callable[[PatientScope], Mapping[str, frozenset[uuid.UUID]]]
RefusalOf = Callable[[PatientScope], str]


@dataclass(frozen=True)
class PatientData:
    """How one table of patient data is exported, erased and held (every hook optional).

    export:   `rows` — the patient's rows, oldest first, read in chunks (model instances; the
              rights domain shapes them as FHIR) — or `part_of`: the label of the record type
              whose resources carry this one's content (no rows of its own in the export).
    erase:    `erase` deletes the patient's erasable rows and returns how many went;
              `erase_first` when it finds its rows through rows of other types (so it must run
              before those go).
    hold:     `held` counts the rows erasure keeps under legal hold; `held_since` is the moment
              the hold period runs from; `pins` names rows of other types a held record keeps
              as its evidence; `refuse_erasure` says why erasure must wait ("" = it need not).
    `staff_only`: linked to users, but only ever to staff (names no patient).
    """

    model: type[models.Model]
    rows: RowsOf | None = None
    part_of: str = ""
    erase: CountOf | None = None
    erase_first: bool = False
    held: CountOf | None = None
    held_since: MomentOf | None = None
    pins: PinsOf | None = None
    refuse_erasure: RefusalOf | None = None
    staff_only: bool = False

    @property
    def label(self) -> str:
        return self.model._meta.label


def delete_rows(rows: models.QuerySet[Any]) -> int:
    """Delete `rows` and return how many of them went (not counting cascaded rows)."""
    count = rows.count()
    rows.delete()
    return count


class AlreadyRegistered(ValueError):
    """A table registered twice: one domain owns each table and says once how it is handled."""


_REGISTRY: dict[str, PatientData] = {}
_discovered = False


def register(*entries: PatientData) -> None:
    """Called by a domain's `patient_data` module, once per table it owns."""
    for entry in entries:
        if entry.label in _REGISTRY:
            raise AlreadyRegistered(entry.label)
        _REGISTRY[entry.label] = entry


def registered() -> dict[str, PatientData]:
    """Label → entry for every registered table, in registration (INSTALLED_APPS) order."""
    global _discovered
    if not _discovered:
        autodiscover_modules("patient_data")
        _discovered = True
    return dict(_REGISTRY)


# ------------------------------------------------------------------ the inventory (schema walk)

MAX_HOPS = 3  # e.g. InboxEntry -> Alert -> Patient; nothing in the schema is deeper today
_PATIENT_COLUMN_HINTS = ("patient", "subject", "username")  # sign-in logs name the login
_GENERIC_POINTERS = frozenset({"local_id"})
# Stores without a foreign key that still hold a patient's data: the session blob names the user;
# a bulk-export file holds many patients' resources as NDJSON text.
_KNOWN_KEYLESS = frozenset({"sessions.Session", "fhir.ExportPart"})


def _person_labels() -> frozenset[str]:
    return frozenset({"care.Patient", settings.AUTH_USER_MODEL})


def _leads_to_person(model: type[models.Model], hops: int) -> bool:
    if model._meta.label in _person_labels():
        return True
    if hops == 0:
        return False
    for column in model._meta.concrete_fields:
        related = column.related_model
        is_link = column.is_relation and isinstance(related, type) and related is not model
        if is_link and _leads_to_person(related, hops - 1):  # type: ignore[arg-type]
            return True
    return False


def _names_a_patient(model: type[models.Model]) -> bool:
    for column in model._meta.concrete_fields:
        name = column.name.lower()
        if column.is_relation:
            continue
        if any(hint in name for hint in _PATIENT_COLUMN_HINTS) or name in _GENERIC_POINTERS:
            return True
    return False


def patient_data_models() -> dict[str, type[models.Model]]:
    """Label → model for every installed model that can hold data about a patient."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        label = model._meta.label
        keyless = label in _person_labels() or label in _KNOWN_KEYLESS
        if keyless or _leads_to_person(model, MAX_HOPS) or _names_a_patient(model):
            found[label] = model
    return found


def unregistered() -> list[str]:
    """Tables that hold patient data but whose domain registered nothing for them."""
    known = registered()
    return sorted(label for label in patient_data_models() if label not in known)


def points_to(referrer: type[models.Model], target: type[models.Model]) -> bool:
    """Whether `referrer` has a foreign key to `target` (erasure deletes referrers first)."""
    return any(
        column.is_relation and column.related_model is target
        for column in referrer._meta.concrete_fields
    )
