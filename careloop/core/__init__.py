"""Core: the shared kernel every domain may use.

Owns: ids, the clock, typed domain errors, the tenant-scoped model base, the `careloop` CLI
entry point, health checks and the background worker loop.
Depends on: nothing else in Careloop.
"""
