"""The source side of a sync: the catalog document of some entities, as this site holds them now.

A peer (graphcat sync --from) reads `changes(since:)`, then asks `syncDocument(entities:)` for the
entities those changes name. The document is a part of `graphcat export`'s (the same format, so the
peer writes it with the importer): the families and versions asked for, plus everything they
reference (tasks, owners, detectors, publications, the dataset and model versions they were trained on,
derived from or evaluated on), so that it imports on its own. Mutable facts are stated explicitly
(`aliases: []`, `deprecated: null`), so that a version's un-deprecation or lost alias is carried too.
Entities asked for that this site no longer holds are listed as `missing` (deleted here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from graphcat.catalog.exporter import export_document
from graphcat.errors import InvalidInput
from graphcat.store.database import Database

MAX_ENTITIES = 1000
# uid kinds a sync carries (the catalog document's); others (api_token) stay at their site.
KINDS = ("experiment", "detector", "task", "owner", "publication", "dataset", "dataset_version", "model",
         "model_version", "evaluation")
_SMALL = (("experiments", "experiment"), ("detectors", "detector"), ("tasks", "task"), ("owners", "owner"),
          ("publications", "publication"))
_FAMILIES = (("datasets", "dataset"), ("models", "model"))


@dataclass(frozen=True)
class Feed:
    document: dict[str, Any]
    missing: list[str]


def check_entities(entities: list[str]) -> None:
    if len(entities) > MAX_ENTITIES:
        raise InvalidInput(f"at most {MAX_ENTITIES} entities per syncDocument, got {len(entities)}", path="entities")
    for i, uid in enumerate(entities):
        kind, sep, ident = uid.partition(":")
        if not sep or not ident or kind not in KINDS:
            raise InvalidInput(f"entities[{i}] must be the uid of a catalog entity (kind:id with kind one of "
                               f"{', '.join(KINDS)}), got {uid!r}", path=f"entities[{i}]")


def _owner_version(uid: str) -> str:
    """An evaluation travels with the model version it evaluates (its id starts with that version's)."""
    kind, _, ident = uid.partition(":")
    return f"model_version:{ident.split('/')[0]}" if kind == "evaluation" else uid


def _references(section: str, entry: dict[str, Any]) -> Iterator[str]:
    if section == "detectors" and entry.get("experiment"):
        yield f"experiment:{entry['experiment']}"
    if section == "tasks" and entry.get("parent"):
        yield f"task:{entry['parent']}"
    if section not in ("datasets", "models"):
        return
    yield from (f"task:{t}" for t in entry.get("tasks") or [])
    if entry.get("owner"):
        yield f"owner:{entry['owner']}"
    yield from (f"publication:{p}" for p in entry.get("described_in") or [])
    for v in entry.get("versions") or []:
        for key, kind in (("recorded_with", "detector"), ("simulated_with", "detector"),
                          ("trained_on", "dataset_version")):
            yield from (f"{kind}:{d}" for d in v.get(key) or [])
        for key in ("derived_from", "linked_derived_from"):
            yield from (f"dataset_version:{d['dataset']}" for d in v.get(key) or [])
        for key in ("lineage", "linked_lineage"):
            yield from (f"model_version:{link['from']}" for link in v.get(key) or [])
        for ev in v.get("evaluations") or []:
            yield f"dataset_version:{ev['dataset']}"
            if ev.get("source") and "://" not in ev["source"]:
                yield f"publication:{ev['source']}"


def _held(full: dict[str, Any]) -> set[str]:
    """Every uid the export document holds (evaluations included)."""
    held = {f"{kind}:{e['id']}" for section, kind in _SMALL for e in full.get(section) or []}
    for section, kind in _FAMILIES:
        for fam in full.get(section) or []:
            held.add(f"{kind}:{fam['id']}")
            for v in fam.get("versions") or []:
                ident = f"{fam['id']}@{v['version']}"
                held.add(f"{kind}_version:{ident}")
                held.update(f"evaluation:{ident}/{ev['dataset']}/{ev['metric']}" for ev in v.get("evaluations") or [])
    return held


def _select(full: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    doc: dict[str, Any] = {"graphcat_catalog": full.get("graphcat_catalog", 1)}
    for section, kind in _SMALL:
        doc[section] = [e for e in full.get(section) or [] if f"{kind}:{e['id']}" in wanted]
    for section, kind in _FAMILIES:
        kept = []
        for fam in full.get(section) or []:
            versions = [v for v in fam.get("versions") or [] if f"{kind}_version:{fam['id']}@{v['version']}" in wanted]
            if versions or f"{kind}:{fam['id']}" in wanted:
                kept.append({**fam, "versions": versions})
        doc[section] = kept
    return doc


def document_for(db: Database, entities: list[str]) -> Feed:
    """The document of `entities` (uids) and what they reference, and those of them this site no longer holds."""
    check_entities(entities)
    full = export_document(db)
    asked = {_owner_version(uid) for uid in entities}
    wanted = set(asked)  # a version brings its family (_select keeps the families of the versions kept)
    while True:
        doc = _select(full, wanted)
        more = {ref for section in (*dict(_SMALL), *dict(_FAMILIES)) for e in doc[section]
                for ref in _references(section, e)} - wanted
        if not more:
            break
        wanted |= more
    for fam in doc["models"]:
        for v in fam["versions"]:
            v.setdefault("aliases", [])
            v.setdefault("deprecated", None)
    held = _held(full)
    return Feed(document={k: v for k, v in doc.items() if v}, missing=sorted(u for u in entities if u not in held))
