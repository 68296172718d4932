"""JSON API: export, erasure, research extracts."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["patient rights"])
