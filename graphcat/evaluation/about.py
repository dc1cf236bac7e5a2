"""What the user says about an uploaded file that is no catalogued dataset version yet (`about`).

A file has no conditions the catalog knows (centre-of-mass energy, pile-up, generator, detector ...),
so the transferability estimate has nothing to carry its evidence over to, and "Try the top 5" could
not show the gap between estimate and measurement. `about` is the dataset-version part of the
catalog format that describes those conditions, e.g.

    {"data_type": "simulation", "simulated_with": ["delphes-cms-card"],
     "conditions": {"sqrt_s_tev": 13, "pileup_mean": 0, "generator": "Pythia 8",
                    "kinematic_range": "500 < pT < 1000 GeV", "parameters": {"ptmin_gev": 500}},
     "description": "my ttbar sample"}

It is checked by the catalog's own JSON schema (the same rules and messages as an import; unknown
keys are refused) and its detectors against the catalog. It then serves twice, built from one
plan so the two cannot disagree:
- `upload_target`: the estimate's target, a profile of the dataset version the file would become,
  so the gap measured - estimated is known before anything is written;
- `upload_document`: the dataset version written with the evaluation when it is recorded, so what
  is stored is what was estimated against.
"""

from __future__ import annotations

from typing import Any, Mapping

from graphcat.catalog.files import schema_problems
from graphcat.catalog.plan import build_plan
from graphcat.domain import uid
from graphcat.errors import InvalidInput
from graphcat.evaluation.run import Measurement
from graphcat.service.transferability import Target
from graphcat.store import evaluation as store
from graphcat.store.database import Database

ABOUT_KEYS = ("data_type", "conditions", "recorded_with", "simulated_with", "description")
DETECTOR_KEYS = {"RECORDED_WITH": "recorded_with", "SIMULATED_WITH": "simulated_with"}
_PREFIX = "datasets[0].versions[0]"


def upload_ident(sha256: str) -> str:
    return f"upload-{sha256[:12]}"


def upload_uid(sha256: str) -> str:
    return uid("dataset_version", f"{upload_ident(sha256)}@1")


def check_about(about: Any) -> dict[str, Any] | None:
    """The `about` object, checked (InvalidInput naming the key and the rule), or None."""
    if about is None:
        return None
    if not isinstance(about, Mapping):
        raise InvalidInput(f"about must be an object with some of {', '.join(ABOUT_KEYS)}, "
                           f"got {type(about).__name__}", path="about")
    unknown = sorted(set(about) - set(ABOUT_KEYS))
    if unknown:
        raise InvalidInput(f"about has unknown key(s) {', '.join(map(repr, unknown))}; "
                           f"expected some of {', '.join(ABOUT_KEYS)}", path=f"about.{unknown[0]}")
    document = {"graphcat_catalog": 1, "datasets": [{"id": "about", "name": "about", "versions": [
        {"version": "1", **about}]}]}
    problems = schema_problems("about", document)
    if problems:
        first = problems[0]
        where = _about_path(first.where.path)
        raise InvalidInput(f"{where}: {first.message}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                           path=where)
    return dict(about)


def _about_path(path: str) -> str:
    return "about" + path[len(_PREFIX):] if path.startswith(_PREFIX) else f"about ({path})"


def upload_document(m: Measurement, about: Mapping[str, Any] | None) -> dict[str, Any]:
    """The catalog document of the file as a new dataset version (what `record` writes)."""
    about = dict(about or {})
    version = {"version": "1",
               "description": about.pop("description", None) or f"uploaded file {m.source}, recorded by graphcat evaluate",
               "format": m.format, "digest": f"sha256:{m.sha256}", "size_bytes": m.size_bytes,
               "num_events": m.rows, "features": m.schema, **about}
    return {"graphcat_catalog": 1, "datasets": [
        {"id": upload_ident(m.sha256), "name": f"uploaded {m.source}",
         "description": f"a file evaluated on by graphcat ({m.source})", "versions": [version]}]}


def upload_target(db: Database, m: Measurement, about: Mapping[str, Any]) -> tuple[str, Target]:
    """(the uid the file would have as a dataset version, the estimate's target for it)."""
    plan = build_plan([("about", upload_document(m, about))])
    if plan.problems:
        first = plan.problems[0]
        raise InvalidInput(f"{_about_path(first.where.path)}: {first.message}", path=_about_path(first.where.path))
    dsv = upload_uid(m.sha256)
    node = next(n for n in plan.nodes if n.uid == dsv)
    links = [(e.target, e.where.path) for e in plan.edges if e.source == dsv and e.type in DETECTOR_KEYS]
    experiments = store.detector_experiments(db, [t for t, _ in links])
    for target, path in links:
        if target not in experiments:
            where = _about_path(path)
            raise InvalidInput(f"{where}: no detector {target.split(':', 1)[1]!r} in the catalog", path=where)
    features = sorted((n for n in plan.nodes if n.kind == "feature"), key=lambda n: n.props["position"])
    family = next(n for n in plan.nodes if n.kind == "dataset")
    row = {"props": {**node.props, "uid": dsv}, "family_name": family.props.get("name"),
           "family_description": family.props.get("description"),
           "detectors": [t for t, _ in links],
           "experiments": sorted({x for t, _ in links for x in experiments[t]}),
           "features": [f.props["canonical"] for f in features]}
    provided = [{k: f.props[k] for k in ("name", "dtype", "shape", "unit", "description")} for f in features]
    return dsv, Target(row, provided)
