"""FHIR R4: Careloop's clinical data in and out as FHIR resources, for EHRs, research platforms
and SMART apps.

Owns, a folder per concern: `mapping` (framework-free mappers, one module per resource type),
`rest` (the /fhir/r4/ endpoint and its CapabilityStatement), `search` (parameters declared once;
searches compose the owning domains' selectors), `smart` (SMART on FHIR), `bulk` (Bulk Data
$export, built by worker jobs) and `importer` (`careloop fhir import`); its own tables (import
provenance, SMART clients, export jobs) and their `patient_data`.
Depends on: every clinical domain below it, through their selectors, services, types and pure
modules; never their models. docs/fhir.md.
"""
