"""The benchmark harness: population, servers, load generation and the report."""
