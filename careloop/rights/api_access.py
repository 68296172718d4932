"""JSON API: consent, who accessed my data, break-glass."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["patient rights"])
