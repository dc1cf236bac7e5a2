"""Jet substructure and detector-like smearing in numpy, on zero-padded constituent arrays.

Constituent arrays are (jets, n) with pT = 0 marking padding. N-subjettiness uses the exclusive
kT subjet axes FastJet found (graphcat.study.generate); the energy correlation ratio D2 (beta = 1)
is computed from the hardest MAX_CONSTITUENTS constituents, which keeps its O(n^3) sum cheap.
"""

from __future__ import annotations

import numpy as np

FEATURE_NAMES = ("jet_mass", "tau21", "tau32", "d2", "n_constituents")


def wrap_phi(dphi: np.ndarray) -> np.ndarray:
    return (dphi + np.pi) % (2 * np.pi) - np.pi


def delta_r(eta1: np.ndarray, phi1: np.ndarray, eta2: np.ndarray, phi2: np.ndarray) -> np.ndarray:
    return np.hypot(eta1 - eta2, wrap_phi(phi1 - phi2))


def kinematics(px: np.ndarray, py: np.ndarray, pz: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
    """(pt, eta, phi, mass) of four-vectors; eta of a zero vector is 0."""
    pt = np.hypot(px, py)
    p = np.sqrt(pt**2 + pz**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.where(pt > 0, np.arcsinh(np.where(pt > 0, pz / np.where(pt > 0, pt, 1.0), 0.0)), 0.0)
    phi = np.arctan2(py, px)
    mass = np.sqrt(np.clip(e**2 - p**2, 0.0, None))
    return pt, eta, phi, mass


def jet_from_constituents(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, ...]:
    """(pt, eta, phi, mass) of the massless sum of each row's constituents."""
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    e = pt * np.cosh(eta)
    return kinematics(px.sum(1), py.sum(1), pz.sum(1), e.sum(1))


def tau_n(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, axes_eta: np.ndarray, axes_phi: np.ndarray,
          radius: float) -> np.ndarray:
    """N-subjettiness tau_N (beta = 1) for N = axes per jet: sum pT_i min_k dR_ik / (sum pT_i R)."""
    dr = delta_r(eta[:, :, None], phi[:, :, None], axes_eta[:, None, :], axes_phi[:, None, :])
    nearest = dr.min(axis=2)
    norm = pt.sum(1) * radius
    return (pt * nearest).sum(1) / np.where(norm > 0, norm, 1.0)


def d2(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, chunk: int = 256) -> np.ndarray:
    """Energy correlation ratio D2 = e3 / e2^3 with beta = 1 (pT fractions z_i of the given constituents)."""
    out = np.empty(len(pt))
    for start in range(0, len(pt), chunk):
        p, h, f = pt[start:start + chunk], eta[start:start + chunk], phi[start:start + chunk]
        z = p / np.where(p.sum(1, keepdims=True) > 0, p.sum(1, keepdims=True), 1.0)
        dr = delta_r(h[:, :, None], f[:, :, None], h[:, None, :], f[:, None, :])
        zz = z[:, :, None] * z[:, None, :]
        e2 = 0.5 * (zz * dr).sum((1, 2))
        # e3 = sum_{i<j<k} z_i z_j z_k dR_ij dR_ik dR_jk = (1/6) sum over all ordered triples.
        e3 = np.einsum("ni,nj,nk,nij,nik,njk->n", z, z, z, dr, dr, dr, optimize=True) / 6.0
        out[start:start + chunk] = e3 / np.where(e2 > 0, e2**3, 1.0)
    return out


def hardest(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """The n hardest constituents of each jet, sorted by pT, zero-padded."""
    order = np.argsort(-pt, axis=1)[:, :n]
    take = lambda a: np.take_along_axis(a, order, axis=1)  # noqa: E731
    p, h, f = take(pt), take(eta), take(phi)
    if p.shape[1] < n:
        pad = ((0, 0), (0, n - p.shape[1]))
        p, h, f = np.pad(p, pad), np.pad(h, pad), np.pad(f, pad)
    return p, h, f


def particle_arrays(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, jet_pt: np.ndarray, jet_eta: np.ndarray,
                    jet_phi: np.ndarray, n: int) -> np.ndarray:
    """(jets, n, 3): pT / jet pT, eta - jet eta, phi - jet phi of the n hardest constituents; zeros pad."""
    p, h, f = hardest(pt, eta, phi, n)
    real = p > 0
    out = np.zeros((len(pt), n, 3), dtype=np.float32)
    out[..., 0] = np.where(real, p / jet_pt[:, None], 0.0)
    out[..., 1] = np.where(real, h - jet_eta[:, None], 0.0)
    out[..., 2] = np.where(real, wrap_phi(f - jet_phi[:, None]), 0.0)
    return out


def smear(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray, *, pt_resolution: float, angle_resolution: float,
          pt_threshold: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian pT and angle smearing of real constituents; those below the threshold are dropped (pT = 0)."""
    real = pt > 0
    spt = pt * (1.0 + pt_resolution * rng.standard_normal(pt.shape))
    seta = eta + angle_resolution * rng.standard_normal(pt.shape)
    sphi = wrap_phi(phi + angle_resolution * rng.standard_normal(pt.shape))
    keep = real & (spt > pt_threshold)
    return np.where(keep, spt, 0.0), np.where(keep, seta, 0.0), np.where(keep, sphi, 0.0)
