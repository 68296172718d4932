"""Pseudonymised, k-anonymous research extracts (`careloop research extract`).

Who is in it: patients of one service whose consent permits the purpose (HL7 HRESCH) for a
stream being extracted (careloop.privacy.consent.consented_patient_ids); erased patients never.
What a row holds: a pseudonym (keyed HMAC of the patient id under a random key made for this
extract and then thrown away, so two extracts cannot be linked and nobody can reverse it), the
generalised quasi-identifiers (kanonymity.py: every class of at least k people), the week of the
measure counted from the start of the patient's course of care, and the measure's code and score.
Never a name, a date of birth, a date, free text or an item answer.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from careloop.accounts.types import Role
from careloop.analytics.kanonymity import DEFAULT_QIS, Anonymised, anonymise
from careloop.assessments.selectors import scores_for_research_for_system
from careloop.audit.services import record_event, record_patient_reads
from careloop.audit.types import AuditAction, PurposeOfUse
from careloop.care.selectors import (
    first_episode_starts_for_system,
    research_demographics_for_system,
)
from careloop.core import clock
from careloop.core.errors import InvalidInput, NotFound
from careloop.monitoring.selectors import moods_for_research_for_system
from careloop.privacy.consent import consented_patient_ids
from careloop.privacy.policy import DataStream

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from careloop.accounts.models import User

STREAMS = (DataStream.QUESTIONNAIRES, DataStream.CHECKINS)
DEFAULT_STREAMS = tuple(stream.value for stream in STREAMS)
COLUMNS = ("pid", *(qi.name for qi in DEFAULT_QIS), "measure", "week", "score")


@dataclass(frozen=True)
class Extract:
    rows: list[dict[str, Any]]
    anonymised: Anonymised
    consented: int
    purpose: str
    streams: tuple[str, ...]

    def report(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "streams": list(self.streams),
            "k": self.anonymised.k,
            "k_achieved": self.anonymised.k_achieved,
            "quasi_identifiers": list(self.anonymised.qis),
            "generalisation_levels": self.anonymised.levels,
            "equivalence_classes": self.anonymised.classes,
            "patients_consented": self.consented,
            "patients_released": len(self.anonymised.records),
            "patients_suppressed": len(self.anonymised.suppressed),
            "rows": len(self.rows),
            "pseudonyms": "HMAC-SHA256 under a one-off random key, discarded after the extract",
            "dates": "weeks since the start of the course of care; no calendar dates",
        }


def _pseudonym(key: bytes, patient_id: uuid.UUID) -> str:
    return hmac.new(key, str(patient_id).encode(), hashlib.sha256).hexdigest()[:24]


def _week(moment: datetime, start: date) -> int:
    return (moment.date() - start).days // 7


def _starts(patient_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, date]:
    """Each patient's first course of care started on (their first record when none)."""
    return first_episode_starts_for_system(patient_ids)


def _measures(
    stream: DataStream, patient_ids: Sequence[uuid.UUID]
) -> Iterator[tuple[uuid.UUID, str, datetime, float | None]]:
    if stream == DataStream.QUESTIONNAIRES:
        yield from scores_for_research_for_system(patient_ids)
    else:
        for pid, at, mood in moods_for_research_for_system(patient_ids):
            yield pid, "checkin", at, float(mood)


def build_extract(
    actor: User,
    *,
    purpose: str,
    streams: Sequence[str] = DEFAULT_STREAMS,
    k: int = 5,
    max_suppressed: float = 0.05,
) -> Extract:
    """Build (and audit) one extract of `actor`'s service. NotFound unless a researcher or a
    service admin; InvalidInput for a stream the extract cannot carry."""
    if actor.role not in (Role.RESEARCHER, Role.SERVICE_ADMIN) or actor.service_id is None:
        raise NotFound("service")
    chosen = []
    for name in streams:
        if name not in DEFAULT_STREAMS:
            raise InvalidInput(f"stream {name!r} cannot be extracted")
        chosen.append(DataStream(name))
    service_id = actor.service_id
    by_stream = {
        stream: set(consented_patient_ids(service_id=service_id, purpose=purpose, stream=stream))
        for stream in chosen
    }
    everyone = set().union(*by_stream.values()) if by_stream else set()
    patients = research_demographics_for_system(everyone)
    year = clock.now().year
    people = [
        {
            "patient_id": p.id,
            "age": year - p.birth_year if p.birth_year else None,
            "gender": p.gender,
            "ethnicity": p.ethnicity,
            "deprivation_quintile": p.deprivation_quintile,
        }
        for p in patients
    ]
    anonymised = anonymise(people, k=k, max_suppressed=max_suppressed)
    released = {r["patient_id"]: r for r in anonymised.records}
    key = secrets.token_bytes(32)
    starts = _starts(list(released))
    rows = []
    for stream in chosen:
        ids = [pid for pid in released if pid in by_stream[stream]]
        for pid, measure, at, score in _measures(stream, ids):
            person = released[pid]
            rows.append(
                {
                    "pid": _pseudonym(key, pid),
                    **{qi.name: person[qi.name] for qi in DEFAULT_QIS},
                    "measure": measure,
                    "week": _week(at, starts.get(pid, at.date())),
                    "score": score,
                }
            )
    del key  # the pseudonyms can never be recomputed
    for record in anonymised.records + anonymised.suppressed:
        record.pop("patient_id", None)
    extract = Extract(rows, anonymised, len(people), purpose, tuple(s.value for s in chosen))
    with transaction.atomic():
        record_event(
            actor=actor,
            action=AuditAction.RESEARCH_EXTRACTED,
            service_id=service_id,
            purpose=purpose,
            detail={
                k_: v for k_, v in extract.report().items() if k_ not in ("pseudonyms", "dates")
            },
        )
        record_patient_reads(
            actor=actor,
            action=AuditAction.RESEARCH_EXTRACTED,
            service_id=service_id,
            patient_ids=list(released),
            purpose=PurposeOfUse(purpose),
        )
    return extract


def write_csv(extract: Extract, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        write_csv_to(extract, handle)


def write_csv_to(extract: Extract, handle: SupportsWrite[str]) -> None:
    """The extract as CSV into any text sink (a file, or the web page's download)."""
    writer = csv.DictWriter(handle, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(sorted(extract.rows, key=lambda r: (r["pid"], r["week"], r["measure"])))
