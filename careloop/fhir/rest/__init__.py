"""The FHIR REST surface: the NinjaAPI, its endpoints, bundles and the CapabilityStatement."""
