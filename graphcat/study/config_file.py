"""Study configurations read from a YAML file (`python -m graphcat.study --configs FILE`).

The file holds a list of configurations, each with the fields of a StudyConfig
(graphcat.study.configs), and optionally which one the taggers train on:

    base: base                # default "base"
    train_fraction: 0.7       # of the base jets (default 0.7)
    configs:
      - id: pt800
        title: jet pT 800-900 GeV
        pt_min: 800
        pt_max: 900
        jets_per_class: 2000
        seed_signal: 20001
        seed_background: 20002
      - id: pu30
        title: pile-up-like overlay, mean 30
        derived_from: base
        pileup: {mean: 30, pool_events: 5000, seed: 9501}
        seed_smearing: 20502

An entry whose id is one of the built-in study's configurations must be that configuration exactly
(the same id cannot name two samples); every other field is checked for its type and range, and an
error names the entry and the field.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from graphcat.errors import InvalidInput
from graphcat.study.configs import BACKGROUNDS, TUNES, Pileup, Smearing, Study, StudyConfig, default_study

FIELDS = {f.name: f for f in dataclasses.fields(StudyConfig)}
NUMBERS = ("sqrt_s_tev", "pt_min", "pt_max")
COUNTS = ("jets_per_class", "seed_signal", "seed_background", "seed_smearing")
TEXTS = ("id", "title", "derived_from", "background")
MAX_SEED = 900_000_000  # Pythia's Random:seed upper bound


def _fail(path: Path, where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{where}: {message}", path=str(path))


def _number(path: Path, where: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, where, f"expected a number, got {value!r}")
    if positive and value <= 0:
        raise _fail(path, where, f"must be > 0, got {value!r}")
    return float(value)


def _count(path: Path, where: str, value: Any, low: int = 0, high: int = MAX_SEED) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(path, where, f"expected an integer from {low} to {high}, got {value!r}")
    return value


def _mapping(path: Path, where: str, value: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, where, f"expected a mapping with {', '.join(fields)}, got {value!r}")
    unknown = sorted(set(value) - set(fields))
    missing = [f for f in fields if f not in value]
    if unknown or missing:
        raise _fail(path, where, f"{'unknown fields ' + str(unknown) if unknown else ''}"
                                 f"{'; ' if unknown and missing else ''}"
                                 f"{'missing fields ' + str(missing) if missing else ''} (expected {', '.join(fields)})")
    return value


def _entry(path: Path, index: int, raw: Any) -> StudyConfig:
    where = f"configs[{index}]"
    if not isinstance(raw, dict):
        raise _fail(path, where, f"expected a mapping of StudyConfig fields, got {raw!r}")
    if isinstance(raw.get("id"), str):
        where = f"configs[{index}] ({raw['id']})"
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise _fail(path, where, f"unknown fields {unknown}; a configuration has {', '.join(FIELDS)}")
    for name in ("id", "title"):
        if name not in raw:
            raise _fail(path, f"{where}.{name}", "missing (every configuration needs an id and a title)")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        at = f"{where}.{name}"
        if name in TEXTS:
            if not isinstance(value, str) or not value.strip():
                raise _fail(path, at, f"expected a non-empty string, got {value!r}")
            values[name] = value.strip()
        elif name in NUMBERS:
            values[name] = _number(path, at, value, positive=True)
        elif name in COUNTS:
            values[name] = _count(path, at, value, low=1 if name == "jets_per_class" else 0)
        elif name == "tune_pp":
            if value not in TUNES:
                raise _fail(path, at, f"unknown tune {value!r}; known: {sorted(TUNES)}")
            values[name] = value
        elif name == "extra_settings":
            if not isinstance(value, list) or not all(isinstance(s, str) and "=" in s for s in value):
                raise _fail(path, at, f"expected a list of Pythia settings 'Key = value', got {value!r}")
            values[name] = tuple(s.strip() for s in value)
        elif name == "smearing":
            m = _mapping(path, at, value, ("pt_resolution", "angle_resolution", "pt_threshold_gev"))
            values[name] = Smearing(**{k: _number(path, f"{at}.{k}", v) for k, v in m.items()})
        elif name == "pileup":
            m = _mapping(path, at, value, ("mean", "pool_events", "seed"))
            values[name] = Pileup(_number(path, f"{at}.mean", m["mean"], positive=True),
                                  _count(path, f"{at}.pool_events", m["pool_events"], low=1, high=1_000_000),
                                  _count(path, f"{at}.seed", m["seed"]))
    if values.get("background", "qcd-dijet") not in BACKGROUNDS:
        raise _fail(path, f"{where}.background", f"unknown background {values['background']!r}; known: {sorted(BACKGROUNDS)}")
    cfg = StudyConfig(**values)
    if cfg.pt_min >= cfg.pt_max:
        raise _fail(path, f"{where}.pt_max", f"must be above pt_min ({cfg.pt_min:g}), got {cfg.pt_max:g}")
    if cfg.derived_from is None and (cfg.smearing is not None or cfg.pileup is not None):
        raise _fail(path, f"{where}.derived_from", "smearing and pile-up apply to another configuration's jets: "
                                                   "name it in derived_from")
    if cfg.derived_from is not None and cfg.smearing is None and cfg.pileup is None:
        raise _fail(path, f"{where}.derived_from", "a derived configuration needs smearing or pileup")
    return cfg


def read(path: Path) -> Study:
    """The Study a configuration file describes; InvalidInput names the entry and field at fault."""
    try:
        doc = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise InvalidInput(f"no configuration file {path}", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"not valid YAML: {exc}", path=str(path)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("configs"), list) or not doc["configs"]:
        raise InvalidInput("expected a mapping with a non-empty list under 'configs'", path=str(path))
    unknown = sorted(set(doc) - {"configs", "base", "train_fraction"})
    if unknown:
        raise _fail(path, "(top level)", f"unknown keys {unknown}; expected configs, base, train_fraction")
    configs = [_entry(path, i, raw) for i, raw in enumerate(doc["configs"])]
    builtin = {c.id: c for c in default_study().configs}
    seen: set[str] = set()
    for i, cfg in enumerate(configs):
        where = f"configs[{i}] ({cfg.id})"
        if cfg.id in seen:
            raise _fail(path, f"{where}.id", "a second configuration with this id")
        if cfg.derived_from is not None and cfg.derived_from not in seen:
            raise _fail(path, f"{where}.derived_from", f"{cfg.derived_from!r} is not a configuration listed before it")
        same = builtin.get(cfg.id)
        if same is not None and same != cfg:
            differs = [f for f in FIELDS if getattr(same, f) != getattr(cfg, f)]
            raise _fail(path, where, f"differs from the built-in configuration of that id in {differs}; "
                                     "a changed configuration needs a new id")
        seen.add(cfg.id)
    base = doc.get("base", "base")
    if base not in seen:
        raise _fail(path, "base", f"{base!r} is not one of the configurations")
    if configs[[c.id for c in configs].index(base)].derived_from is not None:
        raise _fail(path, "base", f"the base {base!r} must be generated, not derived")
    fraction = _number(path, "train_fraction", doc.get("train_fraction", 0.7), positive=True)
    if fraction >= 1:
        raise _fail(path, "train_fraction", f"must be below 1, got {fraction:g}")
    return Study(configs=tuple(configs), base_id=base, train_fraction=fraction)


def builtin_ids() -> frozenset[str]:
    return frozenset(c.id for c in default_study().configs)
