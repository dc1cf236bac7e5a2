"""The generated sample: one compressed npz per configuration plus sample.json (settings, seeds, digests).

Arrays per configuration: label (int8, 1 = W), features (float32, jets × FEATURE_NAMES),
particles (float16, jets × 30 × (pT/jet pT, Δeta, Δphi)), jet_pt, jet_eta (float32); the base
configuration also has split (int8, 0 = train, 1 = test). The shipped copy lives in
graphcat/study/data/ so tests run on real generated jets without Pythia.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graphcat.errors import InvalidInput

SHIPPED = Path(__file__).resolve().parent / "data"
ARRAYS = ("label", "features", "particles", "jet_pt", "jet_eta")


@dataclass(frozen=True)
class JetSet:
    label: np.ndarray
    features: np.ndarray
    particles: np.ndarray
    jet_pt: np.ndarray
    jet_eta: np.ndarray

    def __len__(self) -> int:
        return len(self.label)

    def take(self, index: np.ndarray) -> "JetSet":
        return JetSet(*(getattr(self, k)[index] for k in ARRAYS))

    def head_per_class(self, n: int) -> "JetSet":
        """The first n jets of each class (a smaller, still balanced set)."""
        index = np.concatenate([np.flatnonzero(self.label == k)[:n] for k in (0, 1)])
        return self.take(np.sort(index))


def save(folder: Path, config_id: str, arrays: dict[str, np.ndarray]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{config_id}.npz"
    np.savez_compressed(path, **arrays)
    return path


def digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(folder: Path = SHIPPED) -> dict[str, Any]:
    path = folder / "sample.json"
    if not path.is_file():
        raise InvalidInput("no generated sample here; run `make study` to generate one", path=str(path))
    return json.loads(path.read_text())


def load(config_id: str, folder: Path = SHIPPED, *, split: str | None = None) -> JetSet:
    """One configuration's jets; split "train" or "test" selects part of the base configuration."""
    path = folder / f"{config_id}.npz"
    if not path.is_file():
        raise InvalidInput(f"no sample for configuration {config_id!r}", path=str(path))
    with np.load(path) as data:
        missing = [k for k in ARRAYS if k not in data]
        if missing:
            raise InvalidInput(f"sample lacks arrays {missing}", path=str(path))
        jets = JetSet(*(data[k] for k in ARRAYS))
        if split is None:
            return jets
        if "split" not in data:
            raise InvalidInput(f"configuration {config_id!r} has no train/test split", path=str(path))
        wanted = {"train": 0, "test": 1}[split]
        return jets.take(np.flatnonzero(data["split"] == wanted))
