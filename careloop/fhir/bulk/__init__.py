"""FHIR Bulk Data Access (IG v2) `$export` for a service: async kick-off, status, NDJSON files.

Only system clients (client credentials, bound to one service and purpose of use) may export;
the worker builds the files in bounded chunks and keeps them in the database, so any app server
can answer. See docs/fhir.md, "Bulk export".
"""
