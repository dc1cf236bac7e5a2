"""Column-name normalisation for HEP schemas: tokens, object prefixes, synonyms, transforms, indices.

`canonical("jet1_pT")` → object `jet`, quantity `pt`; `canonical("part_logptrel")` → object
`particle`, quantity `pt`, transforms `{log, rel}`; `canonical("pdgId")` → quantity `pid`.
`collapse_indexed` turns `E_0 .. E_199` into one `E` column of shape `(200,)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Sequence

from embeddings.schema import Column

# Object prefixes: the physics object a column describes. Digits (jet1_, jet2_) are an object
# index and are dropped here; `collapse_indexed` handles them when they enumerate an array.
OBJECTS: dict[str, str] = {
    "bjet": "bjet", "bjets": "bjet",
    "j": "jet", "jet": "jet", "jets": "jet", "fj": "jet", "fatjet": "jet", "ak4": "jet", "ak8": "jet", "fjet": "jet",
    "largerjet": "jet", "ljet": "jet",
    "ak4jet": "jet", "ak8jet": "jet", "fatjets": "jet", "subjet": "subjet",
    "part": "particle", "particle": "particle", "particles": "particle", "pf": "particle",
    "pfcand": "particle", "pfcands": "particle", "cand": "particle", "cands": "particle",
    "constituent": "particle", "constituents": "particle", "const": "particle", "p": "particle",
    "clus": "particle", "cluster": "particle", "clusters": "particle", "topocluster": "particle",  # ATLAS jet inputs
    "track": "track", "tracks": "track", "trk": "track",
    "mu": "muon", "muon": "muon", "muons": "muon",
    "el": "electron", "ele": "electron", "electron": "electron", "electrons": "electron",
    "pho": "photon", "photon": "photon", "photons": "photon", "gamma": "photon",
    "lep": "lepton", "lepton": "lepton", "leptons": "lepton",
    "tau": "tau", "taus": "tau",
    "sv": "sv", "secondary": "sv",
    "met": "met", "mpt": "met",
    "cell": "cell", "cells": "cell", "hit": "hit", "hits": "hit", "voxel": "voxel", "voxels": "voxel",
    "layer": "layer",
    "event": "event", "evt": "event",
    "object": "object", "objects": "object",  # an event's physics objects of several kinds (embeddings.packing)
    # Reconstructed constituents of Delphes (EFlowTrack, EFlowPhoton, EFlowNeutralHadron) are particles;
    # the generator record (Delphes `Particle.*`, NanoAOD `GenPart_*`, EDM4hep `MCParticles`) is not:
    # it holds every particle of the event, intermediate ones included, and no jet's constituents.
    "eflow": "particle", "genparticle": "genparticle",
    # EDM4hep simulated hits come in collections named `<Detector>Collection` (see `tokens`).
    "hitcollection": "hit",
}

# Quantity synonyms → canonical quantity. Multi-word phrases are handled in PHRASES.
QUANTITIES: dict[str, str] = {
    "pt": "pt", "pts": "pt", "ptt": "pt", "et": "pt",  # Delphes EFlowPhoton.ET, Tower.ET: massless, E_T = pT
    "eta": "eta", "pseudorapidity": "eta", "rapidity": "y",
    "phi": "phi", "azimuth": "phi", "azimuthal": "phi",
    "e": "e", "en": "e", "energy": "e", "energies": "e",
    "m": "m", "mass": "m", "masses": "m", "msd": "msd", "msoftdrop": "msd", "softdropmass": "msd",
    "px": "px", "py": "py", "pz": "pz",
    "pid": "pid", "pdgid": "pid", "pdg": "pid", "pdgcode": "pid",
    "btag": "btag", "btagdeepb": "btag", "btagdeepflavb": "btag", "deepcsv": "btag", "deepjet": "btag",
    "csv": "btag", "csvv2": "btag", "bdisc": "btag",
    "charge": "charge", "q": "charge", "ch": "charge",
    "d0": "d0", "dxy": "d0", "dz": "dz", "z0": "dz", "d0val": "d0", "dzval": "dz",
    "dr": "dr", "deltar": "dr",
    # Calorimeter showers are arrays of deposited energies, whatever the file calls them.
    "shower": "e", "showers": "e", "voxels": "e", "cells": "e", "deposits": "e", "edep": "e",
    "inc": "incident", "incident": "incident", "einc": "e_incident", "ein": "e_incident",
    "mult": "n", "multiplicity": "n", "nconst": "n", "nconstituents": "n", "nparticles": "n",
    "npart": "n", "n": "n", "num": "n", "count": "n",
}

PHRASES: tuple[tuple[str, str], ...] = (
    (r"\btransverse momentum\b", "pt"),
    (r"\bp t\b", "pt"),
    (r"\bazimuthal angle\b", "phi"),
    (r"\bpdg id\b", "pid"),
    (r"\bpdg code\b", "pid"),
    (r"\bparticle id\b", "pid"),
    (r"\bb tag\b", "btag"),
    (r"\bbtag deep (?:flav )?b\b", "btag"),
    (r"\bdelta r\b", "dr"),
    (r"\bd r\b", "dr"),
    (r"\bn (?:constituents|particles|const|part|parts|cands)\b", "n"),
    (r"\bdelta (eta|phi)\b", r"\1 rel"),
    (r"\bnumber of (?:constituents|particles)\b", "n"),
    (r"\bsoft drop mass\b", "msd"),
    # CMS NanoAOD / ATLAS / Delphes spellings of objects: PFCands_pt, FatJet_pt, MissingET.MET.
    (r"\bpf cands?\b", "pfcands"),
    (r"\bfat jets?\b", "fatjet"),
    (r"\blarge r jets?\b", "largerjet"),
    (r"\bmissing (?:et|e t|transverse energy|transverse momentum|energy)\b", "met"),
    (r"\b(?:puppi|raw|calo|tk|chs|track) met\b", "met"),
    # Generator-level records and objects: NanoAOD GenPart_*, EDM4hep MCParticles, GenJet_*, GenMET_*.
    (r"\b(?:gen part(?:icles?)?|mc particles?|gen particles?)\b", "genparticle"),
    (r"\bgen (jets?|met)\b", r"\1"),
    (r"\be flow (?:tracks?|photons?|neutral hadrons?)\b", "eflow"),
    # EDM4hep vector members: `position.x` is the hit x, `momentum.x` a px; `eDep` the deposit.
    (r"\bposition (x|y|z|r|phi|eta)\b", r"\1"),  # the quantities derived from them read back too
    (r"\bmomentum (x|y|z)\b", r"p\1"),
    (r"\bmomentum (pt|eta|phi|energy|rapidity|mass)\b", r"\1"),
    (r"\be dep\b", "edep"),
)

# The Delphes generator record is the branch `Particle` (reconstructed constituents are EFlow*);
# EDM4hep simulated-hit collections end in `Collection`; uproot's keys() may give `Coll/Coll.member`.
_DELPHES_GEN = re.compile(r"^Particle\.")
_HIT_COLLECTION = re.compile(r"^[A-Za-z0-9]*Collection(?=[._])")

# Words that name the software or step that made a value, not the value: LHCb's `Brunel_P` is the
# track momentum of the Brunel reconstruction, `reco_pt` a reconstructed pt (`gen_pt` stays apart).
PROVENANCE_WORDS = frozenset({"brunel", "moore", "davinci", "reco", "offline"})

# Words that only mark a transform of the underlying quantity.
TRANSFORM_WORDS: dict[str, str] = {
    "log": "log", "ln": "log", "log10": "log",
    "rel": "rel", "relative": "rel", "frac": "rel", "ratio": "rel",
    "abs": "abs", "norm": "norm", "normalised": "norm", "normalized": "norm", "scaled": "norm",
}

# Fused tokens such as logptrel, etarel, deta, logerel, ptfrac.
_FUSED = re.compile(
    r"^(?P<log>log)?(?P<delta>d|delta)?(?P<q>pt|e|energy|eta|phi|m|mass|px|py|pz)(?P<rel>rel|frac)?$"
)
_COUNT = re.compile(r"^(?:n|num|number|nb)(?P<obj>[a-z]+?)s?$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEP = re.compile(r"[^A-Za-z0-9]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Canon:
    """A normalised column name."""

    obj: str | None
    qty: str
    transforms: frozenset[str]
    tokens: tuple[str, ...]  # normalised tokens, for the fuzzy fallback

    def describe(self) -> str:
        parts = [self.qty]
        if "log" in self.transforms:
            parts.insert(0, "log")
        if "rel" in self.transforms:
            parts.append("relative")
        return (f"{self.obj} " if self.obj else "") + " ".join(parts)


def tokens(name: str) -> list[str]:
    """Split camelCase and separators, lower-case: `jetPT_rel` → [jet, pt, rel]."""
    name = name.rsplit("/", 1)[-1] or name  # uproot's `Coll/Coll.position.x`: the branch's own name
    name = _HIT_COLLECTION.sub("hitcollection", _DELPHES_GEN.sub("genparticle.", name))
    # A fully upper-case short word (PT, E, PX) is one token, not camel humps.
    spaced = _CAMEL.sub(" ", name) if not name.isupper() else name
    text = " ".join(t for t in _SEP.split(spaced) if t).lower()
    for pattern, repl in PHRASES:
        text = re.sub(pattern, repl, text)
    return text.split()


@lru_cache(maxsize=65536)
def canonical(name: str) -> Canon:
    toks = tokens(name)
    obj: str | None = None
    transforms: set[str] = set()
    rest: list[str] = []
    dropped: list[str] = []
    skip_next = False
    for i, tok in enumerate(toks):
        base = _DIGITS.sub("", tok) if not tok.isdigit() else tok
        if tok in QUANTITIES and base != tok:  # d0, z0 carry digits that are part of the name
            rest.append(QUANTITIES[tok])
            continue
        # Counts of objects: n_jets, njets, nbjets, n_muons → quantity n of that object.
        if tok in ("n", "num", "number") and i + 1 < len(toks) and toks[i + 1] in OBJECTS and obj is None:
            obj, skip_next = OBJECTS[toks[i + 1]], True
            rest.append("n")
            continue
        if skip_next:
            skip_next = False
            continue
        count = _COUNT.match(tok)
        if count and obj is None and not rest and (count.group("obj") in OBJECTS or count.group("obj") + "s" in OBJECTS
                                                   or "b" + count.group("obj") in OBJECTS):
            word = count.group("obj")
            obj = OBJECTS.get(word) or OBJECTS.get(word + "s") or OBJECTS["b" + word]
            rest.append("n")
            continue
        # An object word is a prefix only when something follows it (`jet` alone is a quantity).
        if obj is None and not rest and base in OBJECTS and i < len(toks) - 1:
            obj = OBJECTS[base]
            continue
        # Two object words in a row name the inner one: `fjet_clus_pt` is a cluster (constituent)
        # of the jet, `PFCands_pt` a particle-flow candidate.
        if obj is not None and not rest and len(base) > 1 and base in OBJECTS and i < len(toks) - 1:
            obj = OBJECTS[base]
            continue
        if tok in TRANSFORM_WORDS:
            transforms.add(TRANSFORM_WORDS[tok])
            continue
        if base in QUANTITIES:
            rest.append(QUANTITIES[base])
            continue
        fused = _FUSED.match(base)
        if fused:
            if fused.group("log"):
                transforms.add("log")
            if fused.group("delta") or fused.group("rel"):
                transforms.add("rel")
            rest.append(QUANTITIES[fused.group("q")])
            continue
        if tok.isdigit():
            continue
        if tok in PROVENANCE_WORDS:
            dropped.append(tok)
            continue
        rest.append(tok)
    if not rest and obj is None:
        rest = dropped  # a column named only `reco` is called that
    # The missing transverse momentum's size is its pt: `MET`, `met_met`, `MissingET.MET`, `MET_pt`.
    if (obj == "met" or (obj is None and toks == ["met"])) and rest in ([], ["met"], ["et"], ["e"], ["magnitude"]):
        obj, rest = "met", ["pt"]
    # Word order carries no meaning here: `E_inc` and `incident_energy` are one quantity.
    qty = "_".join(sorted(rest)) if rest else (obj or "")
    return Canon(obj=obj if rest else None, qty=qty, transforms=frozenset(transforms),
                 tokens=tuple(rest) + tuple(sorted(transforms)))


@dataclass(frozen=True)
class Field:
    """A column after index collapsing, remembering which original columns it stands for."""

    column: Column
    sources: tuple[str, ...]

    @property
    def label(self) -> str:
        if len(self.sources) > 1:
            return f"{self.sources[0]}..{self.sources[-1]}"
        return self.sources[0]


def collapse_indexed(columns: Sequence[Column]) -> list[Field]:
    """Group `X_0..X_{N-1}` (or `jet1_pt, jet2_pt`) of one dtype and shape into an `(N, ...)` column.

    Only contiguous runs from 0 or 1 with at least two members collapse; everything else passes
    through unchanged, in the original order (a group takes the place of its first member).
    """
    groups: dict[tuple[str, str, tuple[int | None, ...], str | None], list[tuple[int, int, Column]]] = {}
    keys: list[tuple[str, str, tuple[int | None, ...], str | None] | None] = []
    for pos, col in enumerate(columns):
        digit_runs = list(_DIGITS.finditer(col.name))
        if not digit_runs or col.name.lower() in QUANTITIES:
            keys.append(None)
            continue
        last = digit_runs[-1]
        template = col.name[: last.start()] + "#" + col.name[last.end():]
        key = (template, col.dtype, col.shape, col.unit)
        groups.setdefault(key, []).append((int(last.group()), pos, col))
        keys.append(key)
    collapsible = set()
    for key, members in groups.items():
        indices = sorted(i for i, _, _ in members)
        if len(indices) >= 2 and indices[0] in (0, 1) and indices == list(range(indices[0], indices[0] + len(indices))):
            collapsible.add(key)
    out: list[Field] = []
    emitted: set[tuple[str, str, tuple[int | None, ...], str | None]] = set()
    for pos, col in enumerate(columns):
        key = keys[pos]
        if key is None or key not in collapsible:
            out.append(Field(col, (col.name,)))
            continue
        if key in emitted:
            continue
        emitted.add(key)
        members = sorted(groups[key], key=lambda m: m[0])
        name = re.sub(r"[_\-.]*#[_\-.]*", "_", key[0]).strip("_") or col.name
        # Keep the separator style readable: `jet#_pt` → `jet_pt`, `E_#` → `E`.
        merged = replace(col, name=name, shape=(len(members),) + col.shape)
        out.append(Field(merged, tuple(m[2].name for m in members)))
    return out
