"""A small HEP catalog and schemas for the embeddings tests (plain dicts, catalog format v1)."""

from __future__ import annotations

from typing import Any

from embeddings.schema import Column


def _inputs(names: list[str], shape: list[int | None], dtype: str = "float32") -> list[dict[str, Any]]:
    return [{"name": n, "dtype": dtype, "shape": shape} for n in names]


PARTICLE_FEATURES = ["part_px", "part_py", "part_pz", "part_energy", "part_deta", "part_dphi"]


def _model(mid: str, name: str, description: str, tasks: list[str], inputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": mid, "name": name, "description": description, "tasks": tasks,
            "versions": [{"version": "1.0.0", "inputs": inputs}]}


CATALOG: dict[str, Any] = {
    "graphcat_catalog": 1,
    "tasks": [
        {"id": "jet-tagging", "name": "jet tagging"},
        {"id": "top-tagging", "name": "top tagging", "parent": "jet-tagging"},
        {"id": "fast-simulation", "name": "fast calorimeter simulation"},
        {"id": "event-classification", "name": "event classification"},
    ],
    "datasets": [
        {"id": "jetclass", "name": "JetClass", "description": "100M jets of ten classes for jet tagging",
         "tasks": ["jet-tagging"], "versions": [{"version": "1.0", "features": _inputs(PARTICLE_FEATURES, [None])}]},
    ],
    "models": [
        _model("particlenet-top", "ParticleNet top tagger", "EdgeConv graph network on jet constituents",
               ["top-tagging"], _inputs(["part_etarel", "part_phirel", "part_logpt", "part_loge"], [100])),
        _model("pfn-30", "Particle Flow Network (30 particles)", "Deep sets on up to 30 particles",
               ["jet-tagging"], _inputs(["part_pt", "part_eta", "part_phi"], [30])),
        _model("pfn-150", "Particle Flow Network (150 particles)", "Deep sets on up to 150 particles",
               ["jet-tagging"], _inputs(["part_pt", "part_eta", "part_phi"], [150])),
        _model("calo-368", "CaloFlow photon shower generator", "Normalising flow for 368-voxel photon showers",
               ["fast-simulation"], _inputs(["energy"], [368]) + _inputs(["incident_energy"], [])),
        _model("calo-6480", "CaloDiffusion pion shower generator", "Diffusion model for 6480-voxel showers",
               ["fast-simulation"], _inputs(["showers"], [45, 16, 9]) + _inputs(["incident_energy"], [])),
        _model("hlf-dnn", "High-level feature DNN", "Dense network on jet substructure variables",
               ["jet-tagging"], _inputs(["jet_pt", "jet_eta", "jet_mass", "jet_tau21", "jet_btag"], [])),
        _model("ttbar-bdt", "ttbar event BDT", "Gradient boosted trees on event-level lepton and jet features",
               ["event-classification"],
               _inputs(["lep_pt", "lep_eta", "met", "njets", "ht"], []) + _inputs(["nbjets"], [], "int32")),
    ],
}


def cols(names: list[str], shape: tuple[int | None, ...] = (), dtype: str = "float32") -> list[Column]:
    return [Column(n, dtype, shape) for n in names]
