"""FHIR bundle import (`careloop fhir import`): bundles (pure: read a transaction bundle into a
plan) and filing (file the plan through the owning domains' services, in one transaction)."""
