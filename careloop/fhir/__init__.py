"""FHIR R4: Careloop's clinical data in and out as FHIR resources, for EHRs, research platforms
and SMART apps.

Owns: framework-free mappers (domain ⇄ resource, one module per resource type), the FHIR REST
endpoint under /fhir/r4/, SMART on FHIR authorisation, bundle import and Bulk Data export.
Depends on: every clinical domain below it, always through their services and selectors.
"""
