"""How far apart two dataset versions are, axis by axis, from what the catalog records about them.

Each axis gives a distance where 1 means "one substantial shift" (e.g. 8 vs 13 TeV, or jet pT
300-400 vs 400-500 GeV); the total is their weighted sum, so independent shifts add up. An axis on
which only one side is known costs UNKNOWN_ONE_SIDE (we cannot claim they match); an axis unknown
on both sides costs nothing and is listed as unknown.

Axes: data vs simulation, detector, experiment, centre-of-mass energy (log ratio), pile-up, jet pT
range (log ratio of window centres: conditions.parameters.jet_pt_centre_gev, else parsed from the
kinematic range), the other numeric knobs of conditions.parameters (`param:<name>`, each in its
unit, compared only when both sides record it), generator (family, then version), tune (name, then
each differing `key = value` setting after a ';', except settings both sides record as numeric
parameters), detector simulation (as text; not compared when both sides record numeric
detector_* parameters), schema (Jaccard distance of provided canonical features) and, when an
encoder is given, the cosine distance of the descriptions' embeddings. DERIVED_FROM lineage is not
a distance: it raises an evidence's weight (graphcat.service.transferability).

Numeric axes (sqrt(s), pile-up, pT, parameters) also have signed coordinates (`coordinates`), so
the estimator can fit a response with a direction; the others are categorical (equal or not).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

import numpy as np

UNKNOWN_ONE_SIDE = 0.5
# Weights per axis (distance units per "substantial shift" on that axis).
WEIGHTS: dict[str, float] = {
    "data_type": 2.0,
    "detector": 1.0,
    "experiment": 0.5,
    "sqrt_s": 1.0,
    "pileup": 1.0,
    "pt_range": 1.0,
    "generator": 1.0,
    "tune": 1.0,
    "detector_simulation": 1.0,
    "schema": 1.0,
    "description": 0.5,
}
SQRT_S_UNIT = math.log(13.0 / 8.0)  # 8 -> 13 TeV is one unit
PT_UNIT = math.log(450.0 / 350.0)  # moving a 100 GeV window from 300-400 to 400-500 is one unit
PILEUP_UNIT = 20.0
TUNE_NAME_SHIFT = 0.5  # a different named tune
TUNE_SETTING_SHIFT = 0.5  # each generator setting changed on top of the tune
GENERATOR_VERSION_SHIFT = 0.2
DESCRIPTION_UNIT = 0.5  # cosine distance of 0.5 between description embeddings is one unit
PT_PARAMETER = "jet_pt_centre_gev"
# One "substantial shift" per numeric parameter (lower-case names); a parameter not listed here
# counts in its own units. The two resolutions of a Gaussian smearing move together, so each unit
# is twice the medium smearing (0.1, 0.02) and the medium one is one unit in all.
PARAMETER_UNITS: dict[str, float] = {
    "detector_pt_resolution": 0.2,
    "detector_angle_resolution": 0.04,
    "partonlevel:mpi": 1.0,
    "stringz:alund": 0.3,
}
NUMERIC_AXES = ("sqrt_s", "pileup", "pt_range")

_PT_WINDOW = re.compile(r"(\d+(?:\.\d+)?)\s*<\s*p_?\{?T\}?\s*<\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_PT_DASH = re.compile(r"p_?T[^0-9]{0,12}(\d+(?:\.\d+)?)\s*[-–]\s*(\d+(?:\.\d+)?)", re.IGNORECASE)
_PT_MIN = re.compile(r"p_?T\s*>\s*(\d+(?:\.\d+)?)", re.IGNORECASE)


class TextEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Profile:
    """What the catalog says about one dataset version, normalised for comparison."""

    uid: str
    data_type: str | None
    detectors: frozenset[str]
    experiments: frozenset[str]
    sqrt_s_tev: float | None
    pileup_mean: float | None
    pt_centre: float | None
    kinematic_range: str | None
    generator: str | None
    tune: str | None
    detector_simulation: str | None
    features: frozenset[str]
    description: str
    parameters: dict[str, float] = field(default_factory=dict)  # lower-case name -> value

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Profile":
        p = row["props"]
        text = " ".join(t for t in (row.get("family_name"), row.get("family_description"), p.get("description"),
                                    p.get("kinematic_range"), p.get("tune"), p.get("detector_simulation")) if t)
        params = {k.lower(): float(v) for k, v in json.loads(p.get("condition_parameters") or "{}").items()}
        centre = params.pop(PT_PARAMETER, None)
        return cls(uid=p["uid"], data_type=p.get("data_type"), detectors=frozenset(row.get("detectors") or ()),
                   experiments=frozenset(row.get("experiments") or ()), sqrt_s_tev=p.get("sqrt_s_tev"),
                   pileup_mean=p.get("pileup_mean"),
                   pt_centre=centre if centre and centre > 0 else pt_centre(p.get("kinematic_range")),
                   kinematic_range=p.get("kinematic_range"), generator=p.get("generator"), tune=p.get("tune"),
                   detector_simulation=p.get("detector_simulation"), features=frozenset(row.get("features") or ()),
                   description=text, parameters=params)

    def coordinates(self) -> dict[str, float]:
        """Signed positions on the numeric axes this dataset version records, in axis units."""
        out: dict[str, float] = {}
        if self.sqrt_s_tev:
            out["sqrt_s"] = math.log(self.sqrt_s_tev) / SQRT_S_UNIT
        if self.pileup_mean is not None:
            out["pileup"] = self.pileup_mean / PILEUP_UNIT
        if self.pt_centre:
            out["pt_range"] = math.log(self.pt_centre) / PT_UNIT
        for name, value in self.parameters.items():
            out[f"param:{name}"] = value / PARAMETER_UNITS.get(name, 1.0)
        return out


@dataclass(frozen=True)
class AxisDistance:
    axis: str
    distance: float  # weighted
    detail: str


def pt_centre(kinematic_range: str | None) -> float | None:
    """Centre of the jet/object pT window in a kinematic-range text ("300 < pT < 400 GeV, ...")."""
    if not kinematic_range:
        return None
    for pattern in (_PT_WINDOW, _PT_DASH):
        m = pattern.search(kinematic_range)
        if m:
            return 0.5 * (float(m.group(1)) + float(m.group(2)))
    m = _PT_MIN.search(kinematic_range)
    # Only a lower bound: steeply falling spectra put most objects just above it.
    return 1.2 * float(m.group(1)) if m else None


def tune_parts(tune: str) -> tuple[str, dict[str, str]]:
    """"Monash 2013; PartonLevel:MPI = off" -> ("monash 2013", {"partonlevel:mpi": "off"})."""
    name, *settings = [s.strip() for s in tune.split(";")]
    parsed: dict[str, str] = {}
    for s in settings:
        key, _, value = s.partition("=")
        parsed[key.strip().lower()] = value.strip().lower()
    return name.lower(), parsed


def _generator_family(g: str) -> tuple[str, str]:
    words = g.lower().split()
    return (words[0] if words else ""), " ".join(words[1:])


class Comparator:
    """Computes axis distances; caches description embeddings by dataset version uid."""

    def __init__(self, encoder: TextEncoder | None = None) -> None:
        self.encoder = encoder
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, profiles: Sequence[Profile]) -> None:
        if self.encoder is None:
            return
        todo = [p for p in profiles if p.uid not in self._vectors and p.description]
        if todo:
            vectors = np.asarray(self.encoder.encode([p.description for p in todo]), dtype=np.float64)
            for p, v in zip(todo, vectors):
                self._vectors[p.uid] = v / (np.linalg.norm(v) or 1.0)

    def axes(self, a: Profile, b: Profile) -> tuple[list[AxisDistance], list[str]]:
        """(the axes on which a and b differ or may differ, the axes unknown on both sides)."""
        out: list[AxisDistance] = []
        unknown: list[str] = []

        def add(axis: str, raw: float, detail: str) -> None:
            if raw > 0:
                out.append(AxisDistance(axis, WEIGHTS[axis] * raw, detail))

        def add_param(name: str, raw: float, detail: str) -> None:
            out.append(AxisDistance(f"param:{name}", raw, detail))

        def known(axis: str, x: object, y: object) -> bool:
            empty = lambda v: v is None or v == frozenset() or v == ""  # noqa: E731
            if empty(x) and empty(y):
                unknown.append(axis)
                return False
            if empty(x) or empty(y):
                add(axis, UNKNOWN_ONE_SIDE, f"{axis} known on one side only ({x or y})")
                return False
            return True

        if known("data_type", a.data_type, b.data_type) and a.data_type != b.data_type:
            add("data_type", 1.0, f"{a.data_type} vs {b.data_type}")
        if known("detector", a.detectors, b.detectors) and not (a.detectors & b.detectors):
            add("detector", 1.0, f"detectors {sorted(a.detectors)} vs {sorted(b.detectors)}")
        if known("experiment", a.experiments, b.experiments) and not (a.experiments & b.experiments):
            add("experiment", 1.0, f"experiments {sorted(a.experiments)} vs {sorted(b.experiments)}")
        if known("sqrt_s", a.sqrt_s_tev, b.sqrt_s_tev) and a.sqrt_s_tev != b.sqrt_s_tev:
            add("sqrt_s", abs(math.log(a.sqrt_s_tev / b.sqrt_s_tev)) / SQRT_S_UNIT,  # type: ignore[operator]
                f"sqrt(s) {a.sqrt_s_tev:g} vs {b.sqrt_s_tev:g} TeV")
        if known("pileup", a.pileup_mean, b.pileup_mean) and a.pileup_mean != b.pileup_mean:
            add("pileup", abs(a.pileup_mean - b.pileup_mean) / PILEUP_UNIT,  # type: ignore[operator]
                f"pile-up {a.pileup_mean:g} vs {b.pileup_mean:g}")
        shared = sorted(set(a.parameters) & set(b.parameters))
        for name in shared:
            if a.parameters[name] != b.parameters[name]:
                add_param(name, abs(a.parameters[name] - b.parameters[name]) / PARAMETER_UNITS.get(name, 1.0),
                          f"{name} {a.parameters[name]:g} vs {b.parameters[name]:g}")
        if a.pt_centre is not None and b.pt_centre is not None:
            if a.pt_centre != b.pt_centre:
                add("pt_range", abs(math.log(a.pt_centre / b.pt_centre)) / PT_UNIT,
                    f"kinematic range {a.kinematic_range!r} vs {b.kinematic_range!r}")
        elif known("pt_range", a.kinematic_range, b.kinematic_range) and a.kinematic_range != b.kinematic_range:
            add("pt_range", 1.0, f"kinematic range {a.kinematic_range!r} vs {b.kinematic_range!r} (not comparable)")
        if known("generator", a.generator, b.generator) and a.generator != b.generator:
            fa, fb = _generator_family(a.generator), _generator_family(b.generator)  # type: ignore[arg-type]
            raw = 1.0 if fa[0] != fb[0] else GENERATOR_VERSION_SHIFT
            add("generator", raw, f"generator {a.generator} vs {b.generator}")
        if known("tune", a.tune, b.tune) and a.tune != b.tune:
            (na, sa), (nb, sb) = tune_parts(a.tune), tune_parts(b.tune)  # type: ignore[arg-type]
            # A setting both sides record as a number lies on its numeric axis, not in the tune.
            changed = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k) and k not in shared)
            raw = (TUNE_NAME_SHIFT if na != nb else 0.0) + TUNE_SETTING_SHIFT * len(changed)
            add("tune", raw, f"tune {a.tune!r} vs {b.tune!r}")
        numeric_detector = any(n.startswith("detector_") for n in shared)
        if not numeric_detector and known("detector_simulation", a.detector_simulation, b.detector_simulation) \
                and a.detector_simulation != b.detector_simulation:
            add("detector_simulation", 1.0, f"detector simulation {a.detector_simulation!r} vs {b.detector_simulation!r}")
        if known("schema", a.features, b.features) and a.features != b.features:
            jaccard = len(a.features & b.features) / len(a.features | b.features)
            add("schema", 1.0 - jaccard, f"schemas share {len(a.features & b.features)} of "
                                         f"{len(a.features | b.features)} features")
        if self.encoder is not None:
            va, vb = self._vectors.get(a.uid), self._vectors.get(b.uid)
            if va is not None and vb is not None:
                cosine = float(np.clip(1.0 - va @ vb, 0.0, 2.0))
                add("description", cosine / DESCRIPTION_UNIT, f"description embedding cosine distance {cosine:.3f}")
        return out, unknown


def signed(a: Profile, b: Profile) -> dict[str, float]:
    """a - b on the numeric axes both record (axis units); nonzero entries only."""
    ca, cb = a.coordinates(), b.coordinates()
    return {k: ca[k] - cb[k] for k in sorted(set(ca) & set(cb)) if ca[k] != cb[k]}


def is_numeric(axis: str) -> bool:
    return axis in NUMERIC_AXES or axis.startswith("param:")


def total(axes: Sequence[AxisDistance]) -> float:
    return float(sum(a.distance for a in axes))
