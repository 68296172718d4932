"""Everything about me: export (FHIR Bundle + readable page), erasure with legal hold, the pure
retention table, and the walkers over the patient data registry."""
