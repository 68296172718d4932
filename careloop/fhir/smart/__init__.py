"""SMART on FHIR (App Launch 2.x) on top of django-oauth-toolkit: scopes, the bearer-token edge,
the discovery document and client registration. See docs/fhir.md, "SMART on FHIR"."""
