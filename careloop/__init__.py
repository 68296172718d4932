"""Careloop: purpose-driven digital mental health care (measure, see, act, keep safe)."""
