"""The real all-MiniLM-L6-v2, offline, with the torch and the ONNX backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.encoder import Encoder, default_model_path
from embeddings.errors import ModelUnavailable

TEXTS = ["transverse momentum of the jet constituents",
         "pT of the particles inside a jet",
         "electromagnetic shower in a calorimeter with 368 voxels",
         "x"]


@pytest.fixture(scope="module")
def torch_encoder() -> Encoder:
    return Encoder()


def test_vectors_are_normalised_and_meaningful(torch_encoder: Encoder) -> None:
    v = torch_encoder.encode(TEXTS)
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 2] + 0.2  # paraphrases are closer than another topic


def test_onnx_backend_matches_torch_and_leaves_the_package_untouched(torch_encoder: Encoder, tmp_path: Path) -> None:
    package_files = sorted(p.name for p in default_model_path().rglob("*"))
    onnx = Encoder(backend="onnx", cache_dir=tmp_path)
    a, b = torch_encoder.encode(TEXTS), onnx.encode(TEXTS)
    assert np.all(np.sum(a * b, axis=1) > 0.999)
    assert float(onnx.encode([TEXTS[2]])[0] @ a[2]) > 0.999  # no padding in a batch of one
    assert list(tmp_path.glob("*-onnx/model.onnx"))
    assert sorted(p.name for p in default_model_path().rglob("*")) == package_files


def test_unknown_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not a sentence-transformers model folder"):
        Encoder(tmp_path / "nowhere")


def test_single_text_must_be_wrapped(torch_encoder: Encoder) -> None:
    with pytest.raises(TypeError):
        torch_encoder.encode("a string")  # type: ignore[arg-type]
