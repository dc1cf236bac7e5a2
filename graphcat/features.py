"""Feature names and shapes: the canonical form that lets models and datasets be matched.

Every model names its inputs differently (`part_pt`, `PT`, `Jet_pT`, "transverse momentum"), so
each Feature node also stores `canonical`: lowercase, separators and common object prefixes
stripped, HEP synonyms folded (pT/transverse momentum -> pt, pseudorapidity -> eta, azimuth -> phi,
energy -> e, pdgId -> pid). Shapes are stored as integer lists with -1 for a variable-length axis,
because Neo4j lists cannot hold nulls. A shape written with other spellings of "any length" (`-1`,
`"N"`, `"batch"`: embeddings/shapes.py) also keeps them, as JSON text in `shape_given`, so it is
shown back and exported as it was written.
"""

from __future__ import annotations

import re
from functools import lru_cache
import json
from typing import Any, Sequence

from embeddings.shapes import Axis, has_spelling, normalise_shape

VARIABLE = -1

# Whole-phrase synonyms, applied to the underscore-joined name before prefixes are stripped.
_PHRASES = {
    "transverse_momentum": "pt",
    "pseudorapidity": "eta",
    "pseudo_rapidity": "eta",
    "azimuthal_angle": "phi",
    "azimuth": "phi",
    "energy": "e",
    "pdgid": "pid",
    "pdg_id": "pid",
    "particle_id": "pid",
    "charge": "q",
}
# Token synonyms, applied to each underscore-separated token.
_TOKENS = {
    "energy": "e",
    "azimuth": "phi",
    "pseudorapidity": "eta",
    "pdgid": "pid",
    "transversemomentum": "pt",
}
# Object prefixes that say *which* object carries the quantity, not *what* it is.
_PREFIXES = ("part", "particle", "constituent", "const", "pf", "cand", "pfcand", "track", "trk", "jet")


@lru_cache(maxsize=65536)  # pure, and called once per feature: 500k times at 100k versions
def canonical_name(name: str) -> str:
    """The normalised name used to match features across models and datasets."""
    # Split camelCase (pdgId -> pdg_Id) before lowercasing so tokens survive.
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    tokens = [t for t in text.split("_") if t]
    joined = "_".join(tokens)
    for phrase, short in _PHRASES.items():
        joined = re.sub(rf"(^|_){phrase}(_|$)", rf"\g<1>{short}\g<2>", joined)
    tokens = [_TOKENS.get(t, t) for t in joined.split("_") if t]
    while len(tokens) > 1 and tokens[0] in _PREFIXES:
        tokens = tokens[1:]
    return "".join(tokens)


def encode_shape(shape: Sequence[Axis]) -> list[int]:
    return [VARIABLE if dim is None else int(dim) for dim in normalise_shape(shape)]


def decode_shape(stored: Sequence[int] | None) -> list[int | None]:
    return [None if dim == VARIABLE else int(dim) for dim in (stored or [])]


def encode_shape_given(shape: Sequence[Axis]) -> str | None:
    """The `shape_given` property: the shape as written, when it spells "any length" other than null."""
    return json.dumps(list(shape), ensure_ascii=False) if has_spelling(shape) else None


def shape_as_given(props: dict[str, Any]) -> list[Axis]:
    """A stored feature's shape as it was written (`shape_given` when kept, else the stored shape with null)."""
    given = props.get("shape_given")
    return json.loads(given) if given else decode_shape(props.get("shape"))


def shapes_compatible(consumed: Sequence[int | None], provided: Sequence[int | None]) -> bool:
    """Same rank, and every axis equal or variable on one side (padding/truncation is the model's job).

    Mirrors the predicate in cypher/catalog/datasets_providing_inputs.cypher.
    """
    if len(consumed) != len(provided):
        return False
    return all(a is None or b is None or a == b for a, b in zip(consumed, provided))
