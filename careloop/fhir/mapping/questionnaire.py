"""Instrument definition ⇄ FHIR Questionnaire (the library already stores them as FHIR)."""

from __future__ import annotations

from careloop.fhir.mapping.common import Resource, instrument_fhir_id, with_meta
from careloop.instruments.library import InstrumentDefinition


def questionnaire_resource(definition: InstrumentDefinition) -> Resource:
    """The definition's Questionnaire with a FHIR-legal id ('audit_c' → 'audit-c')."""
    resource = definition.fhir_questionnaire()
    resource["id"] = instrument_fhir_id(definition.id)
    return with_meta(resource, None)


def canonical(definition: InstrumentDefinition) -> str:
    """The versioned canonical reference a QuestionnaireResponse points at."""
    return f"{definition.url}|{definition.version}"
