"""Framework-free mappers between Careloop's records and FHIR R4 resources, one module per
resource type. No Django imports: inputs are plain objects described by Protocols."""
