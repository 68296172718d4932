"""JSON API of the journal domain."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["journal"])
