"""The floor: the least a JSON-over-PostgreSQL web service can do, to compare Careloop against."""
