"""The FHIR REST surface: the NinjaAPI, its read/create endpoints, the HTTP conventions
(`http`), the patient's own Patient update and the CapabilityStatement (`capability`, pure)."""
