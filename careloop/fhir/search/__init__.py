"""FHIR search: parameter parsing (params), shared query pieces (common), one searcher per
resource family, and the search endpoints (api)."""
