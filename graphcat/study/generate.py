"""Generate the study's jets with Pythia 8 and cluster them with FastJet (the `study` extra).

For each configuration and process (signal pp → WW with hadronic W decays, background QCD 2 → 2)
Pythia runs in batches (`Pythia.nextBatch`, an awkward array of events); stable visible particles
are clustered with anti-kT R = 0.8; jets with pT in the configuration's window and |eta| < 2 are
kept, signal jets only within ΔR < 0.6 of a W that decays to quarks. Constituents of every jet are
reclustered with the exclusive kT algorithm for the N-subjettiness axes. The smeared
configurations smear the constituents of the base test jets, then recompute every feature.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from graphcat.study import jets
from graphcat.study.configs import JET_ETA_MAX, JET_R, MATCH_DR, MAX_CONSTITUENTS, StudyConfig

MAX_ALL = 200  # constituents kept per jet before features (the hardest; generator-level jets rarely exceed it)
BATCH = 100
INVISIBLE = (12, 14, 16)


@dataclass
class Constituents:
    """Zero-padded constituents (jets, MAX_ALL) and each jet's label (1 = W, 0 = QCD)."""

    pt: np.ndarray
    eta: np.ndarray
    phi: np.ndarray
    label: np.ndarray

    def __len__(self) -> int:
        return len(self.label)

    def take(self, index: np.ndarray) -> "Constituents":
        return Constituents(self.pt[index], self.eta[index], self.phi[index], self.label[index])

    @staticmethod
    def concat(parts: list["Constituents"]) -> "Constituents":
        return Constituents(*(np.concatenate([getattr(p, k) for p in parts]) for k in ("pt", "eta", "phi", "label")))


def _imports() -> tuple[Any, Any, Any]:
    import awkward as ak
    import fastjet
    import pythia8mc

    return ak, fastjet, pythia8mc


def versions() -> dict[str, str]:
    from importlib.metadata import version

    ak, fastjet, _ = _imports()
    return {"pythia8mc": version("pythia8mc"), "fastjet": fastjet.__version__, "awkward": ak.__version__}


def _padded(ak: Any, values: Any, n: int) -> np.ndarray:
    return ak.to_numpy(ak.fill_none(ak.pad_none(values, n, clip=True), 0.0)).astype(np.float64)


def generate_process(cfg: StudyConfig, process: str, seed: int, wanted: int,
                     log: Callable[[str], None] = print) -> tuple[Constituents, dict[str, Any]]:
    """`wanted` jets of one process under `cfg`, and how many events that took."""
    ak, fastjet, pythia8mc = _imports()
    pythia = pythia8mc.Pythia("", False)
    for line in cfg.pythia_settings(process, seed):
        if not pythia.readString(line):
            raise RuntimeError(f"Pythia refused the setting {line!r}")
    if not pythia.init():
        raise RuntimeError(f"Pythia failed to initialise for {cfg.id}/{process}")
    jetdef = fastjet.JetDefinition(fastjet.antikt_algorithm, JET_R)
    parts: list[Constituents] = []
    found, events, started = 0, 0, time.perf_counter()
    while found < wanted:
        batch = pythia.nextBatch(BATCH)
        events += len(batch)
        prt = batch.prt
        aid = abs(prt.id)
        final = (prt.status > 0) & (aid != INVISIBLE[0]) & (aid != INVISIBLE[1]) & (aid != INVISIBLE[2])
        vis = prt[final]
        vectors = ak.zip({"px": vis.p.px, "py": vis.p.py, "pz": vis.p.pz, "E": vis.p.e})
        cs = fastjet.ClusterSequence(vectors, jetdef)
        jet4 = cs.inclusive_jets(min_pt=cfg.pt_min * 0.5)
        consts = cs.constituents(min_pt=cfg.pt_min * 0.5)
        jpt, jeta, jphi, _ = (ak.Array(x) for x in _ak_kinematics(ak, jet4))
        keep = (jpt > cfg.pt_min) & (jpt < cfg.pt_max) & (abs(jeta) < JET_ETA_MAX)
        if process == "signal":
            daughter_id = prt.id[ak.where(prt.daughter1 > 0, prt.daughter1, 0)]
            hadronic_w = (abs(prt.id) == 24) & (abs(daughter_id) <= 5) & (prt.daughter1 > 0)
            w = prt[hadronic_w]
            wpt, weta, wphi, _ = _ak_kinematics(ak, w.p, energy="e")
            pairs = ak.cartesian({"j": ak.zip({"eta": jeta, "phi": jphi}), "w": ak.zip({"eta": weta, "phi": wphi})},
                                 nested=True)
            dr = np.hypot(pairs.j.eta - pairs.w.eta, jets.wrap_phi(pairs.j.phi - pairs.w.phi))
            keep = keep & (ak.fill_none(ak.min(dr, axis=2), 99.0) < MATCH_DR)
        selected = ak.flatten(consts[keep], axis=1)
        if len(selected) == 0:
            continue
        order = ak.argsort(np.hypot(selected.px, selected.py), axis=1, ascending=False)
        selected = selected[order]
        px, py = _padded(ak, selected.px, MAX_ALL), _padded(ak, selected.py, MAX_ALL)
        pz, e = _padded(ak, selected.pz, MAX_ALL), _padded(ak, selected.E, MAX_ALL)
        pt, eta, phi, _ = jets.kinematics(px, py, pz, e)
        pt = np.where(e > 0, pt, 0.0)
        label = np.full(len(pt), 1 if process == "signal" else 0, dtype=np.int8)
        parts.append(Constituents(pt, eta, phi, label))
        found += len(pt)
    elapsed = time.perf_counter() - started
    log(f"  {cfg.id}/{process}: {found} jets from {events} events in {elapsed:.0f} s")
    out = Constituents.concat(parts)
    return out.take(np.arange(wanted)), {"events": events, "seconds": round(elapsed, 1), "seed": seed,
                                         "pythia_settings": cfg.pythia_settings(process, seed)}


def _ak_kinematics(ak: Any, vectors: Any, energy: str = "E") -> tuple[Any, Any, Any, Any]:
    px, py, pz, e = vectors.px, vectors.py, vectors.pz, vectors[energy]
    pt = np.hypot(px, py)
    eta = np.arcsinh(pz / ak.where(pt > 0, pt, 1e-9))
    phi = np.arctan2(py, px)
    mass = np.sqrt(np.maximum(e**2 - px**2 - py**2 - pz**2, 0.0))
    return pt, eta, phi, mass


def kt_axes(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(eta, phi) of the n exclusive kT subjets of each jet (FastJet), shape (jets, n)."""
    ak, fastjet, _ = _imports()
    real = pt > 0
    vec = {"px": pt * np.cos(phi), "py": pt * np.sin(phi), "pz": pt * np.sinh(eta), "E": pt * np.cosh(eta)}
    counts = real.sum(1)
    arr = ak.zip({k: ak.unflatten(v[real], counts) for k, v in vec.items()})
    cs = fastjet.ClusterSequence(arr, fastjet.JetDefinition(fastjet.kt_algorithm, JET_R))
    with warnings.catch_warnings():
        # fastjet's awkward wrapper warns about exclusive jets for any algorithm; this one is kT.
        warnings.filterwarnings("ignore", message="dcut and exclusive jets")
        sub = cs.exclusive_jets(n_jets=n)
    spt, seta, sphi, _ = _ak_kinematics(ak, sub)
    return ak.to_numpy(seta).reshape(len(pt), n), ak.to_numpy(sphi).reshape(len(pt), n)


def features(c: Constituents) -> dict[str, np.ndarray]:
    """Every per-jet array the sample stores, computed from (possibly smeared) constituents."""
    jet_pt, jet_eta, jet_phi, jet_mass = jets.jet_from_constituents(c.pt, c.eta, c.phi)
    taus = []
    for n in (1, 2, 3):
        axes_eta, axes_phi = kt_axes(c.pt, c.eta, c.phi, n)
        taus.append(jets.tau_n(c.pt, c.eta, c.phi, axes_eta, axes_phi, JET_R))
    with np.errstate(divide="ignore", invalid="ignore"):
        tau21 = np.nan_to_num(taus[1] / taus[0])
        tau32 = np.nan_to_num(taus[2] / taus[1])
    hp, he, hf = jets.hardest(c.pt, c.eta, c.phi, MAX_CONSTITUENTS)
    d2 = jets.d2(hp, he, hf)
    n_const = (c.pt > 0).sum(1).astype(np.float64)
    table = np.stack([jet_mass, tau21, tau32, d2, n_const], axis=1).astype(np.float32)
    particles = jets.particle_arrays(c.pt, c.eta, c.phi, jet_pt, jet_eta, jet_phi, MAX_CONSTITUENTS)
    return {"label": c.label, "features": table, "particles": particles.astype(np.float16),
            "jet_pt": jet_pt.astype(np.float32), "jet_eta": jet_eta.astype(np.float32)}


def smeared(c: Constituents, cfg: StudyConfig) -> Constituents:
    assert cfg.smearing is not None
    rng = np.random.default_rng(cfg.seed_smearing)
    pt, eta, phi = jets.smear(c.pt, c.eta, c.phi, pt_resolution=cfg.smearing.pt_resolution,
                              angle_resolution=cfg.smearing.angle_resolution,
                              pt_threshold=cfg.smearing.pt_threshold_gev, rng=rng)
    return Constituents(pt, eta, phi, c.label)
