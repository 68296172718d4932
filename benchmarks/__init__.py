"""`make bench`: Careloop's key operations measured against a floor on the same machine."""
