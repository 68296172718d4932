"""Core: the shared kernel every domain may use.

Owns: Service (the tenant, `selectors`/`services`), TenantModel, uuid7 ids, the clock, typed
domain errors and the one API error shape (`api`), the `careloop` CLI and `careloop serve`, the
worker loop and its heartbeat, health checks, request-body bounds (`limits`), shared request
readers (`http`), idempotent replays (`idempotency`), the free-text sanitiser (`text`), field
encryption and key rotation, PII-free logging, the bulk row writer, and the patient data
registry (`patient_data`) every domain registers its tables in.
Depends on: nothing else in Careloop.
"""
