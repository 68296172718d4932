"""Exporters of the AI records about the patient (#15): each early-warning estimate with the
model version and what it read, each suggestion shown to the clinician with their decision, and
each request the patient made for a person to review a decision (with the answer). All as
ClinicalImpression, like the other judgements about the patient's care."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from careloop.ai.types import Decision, ReasonCode, ReviewStatus, RiskBand
from careloop.fhir.mapping.common import Resource
from careloop.rights.data import export_resources as shapes
from careloop.rights.data.export_records import ExportScope

if TYPE_CHECKING:
    from careloop.ai.models import Prediction, ReviewTask, Suggestion


def predictions(_: ExportScope, rows: Iterable[Prediction]) -> Iterator[Resource]:
    for row in rows:
        reasons = "; ".join(item["words"] for item in row.explanation)
        yield shapes.clinical_impression(
            record_id=row.id,
            patient_id=row.patient_id,
            code="ai-early-warning",
            code_text="Computer estimate: chance of no reliable improvement by week 12",
            occurred=row.made_at,
            assessor_id=None,
            summary=(
                f"{row.probability * 100:.0f} % ({RiskBand(row.band).label.lower()} band), "
                f"model {row.model_version.version}"
            ),
            note=f"What it read: {reasons}",
            episode_id=row.episode_id,
        )


def suggestions(_: ExportScope, rows: Iterable[Suggestion]) -> Iterator[Resource]:
    for row in rows:
        decided = ""
        if row.decision:
            decided = f" Decision: {Decision(row.decision).label}"
            if row.reason:
                decided += f" ({ReasonCode(row.reason).label})"
        yield shapes.clinical_impression(
            record_id=row.id,
            patient_id=row.patient_id,
            code="ai-suggestion",
            code_text="Computer-assisted suggestion about my care",
            occurred=row.decided_at or row.created_at,
            assessor_id=row.decided_by_id,
            summary=f"{row.summary}.{decided}",
            note=row.note,
            episode_id=row.episode_id,
        )


def review_tasks(_: ExportScope, rows: Iterable[ReviewTask]) -> Iterator[Resource]:
    for row in rows:
        note = f"My request: {row.message}" if row.message else ""
        if row.status == ReviewStatus.ANSWERED:
            note += f"\nAnswer: {row.answer}"
        yield shapes.clinical_impression(
            record_id=row.id,
            patient_id=row.patient_id,
            code="ai-human-review",
            code_text="My request for a person to review a decision",
            occurred=row.answered_at or row.requested_at,
            assessor_id=row.answered_by_id,
            summary=ReviewStatus(row.status).label,
            note=note.strip(),
        )
