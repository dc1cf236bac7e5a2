"""Generate the study's jets with Pythia 8 and cluster them with FastJet (the `study` extra).

For each configuration and process (signal pp → WW with hadronic W decays, background QCD 2 → 2)
Pythia runs in batches (`Pythia.nextBatch`, an awkward array of events); stable visible particles
are clustered with anti-kT R = 0.8; jets with pT in the configuration's window and |eta| < 2 are
kept, signal jets only within ΔR < 0.6 of a W that decays to quarks. Constituents of every jet are
reclustered with the exclusive kT algorithm for the N-subjettiness axes. The smeared
configurations smear the constituents of the base test jets, the pile-up ones add the particles of
soft QCD events to them (`overlaid`), then every feature is recomputed.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from graphcat.study import jets
from graphcat.study.configs import JET_ETA_MAX, JET_R, MATCH_DR, MAX_CONSTITUENTS, Pileup, StudyConfig

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


def _cache_path(cache: Path, name: str, key: object) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache / f"{name}-{digest}.npz"


def cached_process(cfg: StudyConfig, process: str, seed: int, wanted: int, cache: Path | None,
                   log: Callable[[str], None] = print) -> tuple[Constituents, dict[str, Any]]:
    """generate_process, reusing raw jets saved under `cache` for the same settings (a resumed run)."""
    if cache is None:
        return generate_process(cfg, process, seed, wanted, log)
    path = _cache_path(cache, f"{cfg.id}-{process}", [cfg.pythia_settings(process, seed), wanted, MAX_ALL])
    if path.is_file():
        with np.load(path) as data:
            info = json.loads(str(data["info"]))
            log(f"  {cfg.id}/{process}: {wanted} jets from the cache {path.name}")
            return Constituents(data["pt"], data["eta"], data["phi"], data["label"]), info
    out, info = generate_process(cfg, process, seed, wanted, log)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, pt=out.pt, eta=out.eta, phi=out.phi, label=out.label, info=json.dumps(info))
    return out, info


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


@dataclass
class SoftPool:
    """Visible particles of soft QCD events, flat (pt, eta, phi) with each event's [start, stop)."""

    pt: np.ndarray
    eta: np.ndarray
    phi: np.ndarray
    offsets: np.ndarray  # events + 1

    def __len__(self) -> int:
        return len(self.offsets) - 1


def soft_pool_settings(pileup: Pileup) -> list[str]:
    return ["Beams:eCM = 13000", "Tune:pp = 14", "SoftQCD:nonDiffractive = on", "Random:setSeed = on",
            f"Random:seed = {pileup.seed}", "Next:numberCount = 0", "Print:quiet = on"]


def soft_pool(pileup: Pileup, cache: Path | None, log: Callable[[str], None] = print) -> tuple[SoftPool, dict[str, Any]]:
    """pileup.pool_events soft QCD events (visible, |eta| < JET_ETA_MAX + JET_R), cached like the jets."""
    settings = soft_pool_settings(pileup)
    path = _cache_path(cache, "softqcd", [settings, pileup.pool_events]) if cache else None
    if path is not None and path.is_file():
        with np.load(path) as data:
            return SoftPool(data["pt"], data["eta"], data["phi"], data["offsets"]), json.loads(str(data["info"]))
    ak, _, pythia8mc = _imports()
    pythia = pythia8mc.Pythia("", False)
    for line in settings:
        if not pythia.readString(line):
            raise RuntimeError(f"Pythia refused the setting {line!r}")
    if not pythia.init():
        raise RuntimeError("Pythia failed to initialise for the soft QCD pool")
    started = time.perf_counter()
    pts, etas, phis, counts = [], [], [], []
    while len(counts) < pileup.pool_events:
        batch = pythia.nextBatch(min(BATCH, pileup.pool_events - len(counts)))
        prt = batch.prt
        aid = abs(prt.id)
        final = (prt.status > 0) & (aid != INVISIBLE[0]) & (aid != INVISIBLE[1]) & (aid != INVISIBLE[2])
        vis = prt[final]
        pt, eta, phi, _ = _ak_kinematics(ak, vis.p, energy="e")
        inside = (abs(eta) < JET_ETA_MAX + JET_R) & (pt > 0)
        pt, eta, phi = pt[inside], eta[inside], phi[inside]
        counts.extend(ak.to_numpy(ak.num(pt)).tolist())
        pts.append(ak.to_numpy(ak.flatten(pt)))
        etas.append(ak.to_numpy(ak.flatten(eta)))
        phis.append(ak.to_numpy(ak.flatten(phi)))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    pool = SoftPool(np.concatenate(pts), np.concatenate(etas), np.concatenate(phis), offsets)
    info = {"events": len(counts), "seconds": round(time.perf_counter() - started, 1), "seed": pileup.seed,
            "pythia_settings": settings}
    log(f"  soft QCD pool: {len(counts)} events in {info['seconds']} s")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, pt=pool.pt, eta=pool.eta, phi=pool.phi, offsets=pool.offsets, info=json.dumps(info))
    return pool, info


def overlaid(c: Constituents, pool: SoftPool, mean: float, seed: int) -> Constituents:
    """Each jet plus the particles of Poisson(mean) pool events, rotated in phi, within R of its axis."""
    rng = np.random.default_rng(seed)
    _, axis_eta, axis_phi, _ = jets.jet_from_constituents(c.pt, c.eta, c.phi)
    pt, eta, phi = c.pt.copy(), c.eta.copy(), c.phi.copy()
    width = pt.shape[1]
    for i in range(len(c)):
        events = rng.integers(len(pool), size=rng.poisson(mean))
        if len(events) == 0:
            continue
        rotation = rng.uniform(-np.pi, np.pi, size=len(events))
        index = np.concatenate([np.arange(pool.offsets[e], pool.offsets[e + 1]) for e in events])
        shift = np.repeat(rotation, [pool.offsets[e + 1] - pool.offsets[e] for e in events])
        p_phi = jets.wrap_phi(pool.phi[index] + shift)
        near = jets.delta_r(pool.eta[index], p_phi, axis_eta[i], axis_phi[i]) < JET_R
        real = pt[i] > 0
        all_pt = np.concatenate([pt[i][real], pool.pt[index][near]])
        all_eta = np.concatenate([eta[i][real], pool.eta[index][near]])
        all_phi = np.concatenate([phi[i][real], p_phi[near]])
        order = np.argsort(-all_pt)[:width]  # the hardest MAX_ALL, as for generated jets
        k = len(order)
        pt[i], eta[i], phi[i] = 0.0, 0.0, 0.0
        pt[i, :k], eta[i, :k], phi[i, :k] = all_pt[order], all_eta[order], all_phi[order]
    return Constituents(pt, eta, phi, c.label)
