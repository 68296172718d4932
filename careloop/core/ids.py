"""Time-ordered UUIDs (RFC 9562 version 7) for primary keys.

Random UUIDv4 keys scatter inserts across the whole B-tree; v7 keys grow with time, so bulk loads
and recent-first reads stay on a few index pages, and no central sequence is needed when rows are
created on many machines (distributed PostgreSQL).
"""

from __future__ import annotations

import os
import time
import uuid


def uuid7(timestamp_ms: int | None = None, rand: bytes | None = None) -> uuid.UUID:
    """Return a version-7 UUID: 48 bits of Unix milliseconds, then 74 random bits."""
    ms = time.time_ns() // 1_000_000 if timestamp_ms is None else timestamp_ms
    tail = int.from_bytes(rand if rand is not None else os.urandom(10), "big") & ((1 << 74) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= (tail >> 62) << 64  # 12 bits rand_a
    value |= 0b10 << 62  # RFC 4122 variant
    value |= tail & ((1 << 62) - 1)  # 62 bits rand_b
    return uuid.UUID(int=value)
