"""The study's three taggers (torch, CPU), their training, ONNX export and ONNX evaluation.

- `mlp`: jet-substructure MLP on FEATURE_NAMES (mass, tau21, tau32, D2, multiplicity).
- `deepsets`: a Particle Flow Network (Deep Sets): a per-particle network on (pT/jet pT, Δeta,
  Δphi), summed over the real (non-padding) particles, then a jet-level network.
- `masscut`: the classic cut-based W tagger made smooth: a learned jet-mass window (centre,
  width) and a learned tau21 slope, logistic in both; it reads the same feature table but only
  mass and tau21, so it reacts to shifts through those two alone.
Both standardise their inputs with the training set's mean and spread, stored inside the model, so
the exported ONNX file takes raw features and returns P(W) for each jet.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from graphcat.study.jets import FEATURE_NAMES
from graphcat.study.sample import JetSet

KINDS = ("mlp", "deepsets", "masscut")
OPSET = 17


class FeatureMLP(nn.Module):
    def __init__(self, mean: np.ndarray, std: np.ndarray, hidden: int = 32) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.net = nn.Sequential(nn.Linear(len(mean), hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


class ParticleFlowNetwork(nn.Module):
    def __init__(self, mean: np.ndarray, std: np.ndarray, latent: int = 32, hidden: int = 64) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.phi = nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, latent), nn.ReLU())
        self.f = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, particles: torch.Tensor) -> torch.Tensor:
        mask = (particles[..., :1] > 0).to(particles.dtype)  # padding has pT = 0
        per_particle = self.phi((particles - self.mean) / self.std) * mask
        return self.f(per_particle.sum(dim=1))


class MassTau21Window(nn.Module):
    """logit = a - b * ((m - m0) / w)^2 - c * tau21: a soft mass window and a tau21 cut."""

    def __init__(self, mean: np.ndarray, std: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        mass, tau21 = FEATURE_NAMES.index("jet_mass"), FEATURE_NAMES.index("tau21")
        self.columns = (mass, tau21)
        self.centre = nn.Parameter(torch.tensor(0.0))  # in standardised mass units
        self.log_width = nn.Parameter(torch.tensor(0.0))
        self.offset = nn.Parameter(torch.tensor(1.0))
        self.tau_slope = nn.Parameter(torch.tensor(1.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = (x - self.mean) / self.std
        m, t = z[:, self.columns[0]:self.columns[0] + 1], z[:, self.columns[1]:self.columns[1] + 1]
        return self.offset - ((m - self.centre) / torch.exp(self.log_width)) ** 2 - self.tau_slope * t


class Scored(nn.Module):
    """The exported form: logits turned into P(W)."""

    def __init__(self, inner: nn.Module) -> None:
        super().__init__()
        self.inner = inner

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.inner(x))


def inputs(kind: str, jets: JetSet) -> np.ndarray:
    if kind in ("mlp", "masscut"):
        return jets.features.astype(np.float32)
    if kind == "deepsets":
        return jets.particles.astype(np.float32)
    raise ValueError(f"unknown model kind {kind!r}; expected one of {KINDS}")


def _standardisation(kind: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if kind in ("mlp", "masscut"):
        return x.mean(0), x.std(0) + 1e-6
    real = x[x[..., 0] > 0]  # statistics over real particles only
    return real.mean(0), real.std(0) + 1e-6


@dataclass(frozen=True)
class Trained:
    kind: str
    module: nn.Module
    epochs: int
    learning_rate: float
    batch_size: int
    seed: int
    train_jets: int


def train(kind: str, jets: JetSet, *, epochs: int, seed: int, learning_rate: float = 1e-3,
          batch_size: int = 256) -> Trained:
    torch.manual_seed(seed)
    x = inputs(kind, jets)
    mean, std = _standardisation(kind, x)
    inner: nn.Module = {"mlp": FeatureMLP, "deepsets": ParticleFlowNetwork, "masscut": MassTau21Window}[kind](mean, std)
    xt, yt = torch.from_numpy(x), torch.from_numpy(jets.label.astype(np.float32))[:, None]
    optimiser = torch.optim.Adam(inner.parameters(), lr=learning_rate)
    loss_fn = nn.BCEWithLogitsLoss()
    generator = torch.Generator().manual_seed(seed)
    inner.train()
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=generator)
        for start in range(0, len(xt), batch_size):
            idx = order[start:start + batch_size]
            optimiser.zero_grad()
            loss = loss_fn(inner(xt[idx]), yt[idx])
            loss.backward()
            optimiser.step()
    inner.eval()
    return Trained(kind, Scored(inner).eval(), epochs, learning_rate, batch_size, seed, len(jets))


def export_onnx(trained: Trained, path: Path) -> Path:
    features = trained.kind in ("mlp", "masscut")
    example = torch.zeros((2, len(FEATURE_NAMES)) if features else (2, 30, 3))
    name = "features" if features else "particles"
    path.parent.mkdir(parents=True, exist_ok=True)
    # The TorchScript exporter (dynamo=False): the dynamo one needs onnxscript, which graphcat
    # does not otherwise depend on.
    torch.onnx.export(trained.module, (example,), str(path), input_names=[name], output_names=["p_w"],
                      dynamic_axes={name: {0: "jets"}, "p_w": {0: "jets"}}, opset_version=OPSET, dynamo=False)
    return path


def onnx_scores(path: Path, kind: str, jets: JetSet) -> np.ndarray:
    """P(W) for every jet, from the exported ONNX file (what the catalog registers is what is measured)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    x = inputs(kind, jets)
    out = [session.run(None, {name: x[i:i + 4096]})[0] for i in range(0, len(x), 4096)]
    return np.concatenate(out)[:, 0]
