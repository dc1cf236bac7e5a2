"""A catalog dataset version as MLCommons Croissant 1.1 JSON-LD (`graphcat export-croissant`, and
`GET /datasets/<id>/<version>/croissant.json`).

Reads through graphcat.service.catalog only; writes plain JSON (no mlcroissant needed to serve it,
the tests load every document with mlcroissant). What schema.org / Croissant has a property for
goes there (name, description, license, url, version, datePublished, keywords, creator, citeAs,
sameAs, isBasedOn, distribution, recordSet); HEP run conditions and the catalog's links to detectors,
experiments and tasks go under the graphcat namespace `gc:` (docs/interop.md, "Croissant").
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlparse

from graphcat import domain
from graphcat.errors import NotFound
from graphcat.interop.croissant import (CROISSANT_1_1, CROISSANT_DTYPES, FORMAT_ENCODINGS, GC_CONDITIONS, GC_NAMESPACE,
                                        GC_VERSION, TAG_HOMEPAGE, TAG_LICENSE, UNKNOWN_ENCODING)
from graphcat.interop.croissant_bibtex import bibtex
from graphcat.service import catalog as service
from graphcat.store.database import Database

# The Croissant 1.1 @context, as mlcroissant writes it (tests compare the two), plus graphcat's namespace.
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "arrayShape": "cr:arrayShape", "citeAs": "cr:citeAs",
    "column": "cr:column", "conformsTo": "dct:conformsTo", "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes", "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5",
    "name": {"@container": "@language"}, "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "samplingRate": "cr:samplingRate", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
    "gc": GC_NAMESPACE,
}


def croissant_url(base_url: str, dataset_id: str, version: str) -> str:
    """The stable URL of a dataset version's Croissant document on a graphcat server at base_url."""
    return f"{base_url.rstrip('/')}/datasets/{quote(dataset_id, safe='')}/{quote(version, safe='')}/croissant.json"


def parse_ref(ref: str) -> tuple[str, str | None]:
    """DATASET_ID[@VERSION] -> (id, version or None)."""
    ident, _, version = ref.partition("@")
    return ident, version or None


def _version_key(v: domain.Node) -> tuple[str, list[tuple[int, Any]]]:
    version: str = v.version  # type: ignore[attr-defined]
    parts = [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.+-]", version)]
    return (v.created_at or "", parts)  # type: ignore[attr-defined]


def resolve(db: Database, dataset_id: str, version: str | None) -> tuple[domain.Dataset, domain.DatasetVersion]:
    """The dataset and its version (the newest when version is None); NotFound naming what is missing."""
    dataset_uid = domain.uid("dataset", dataset_id)
    dataset = service.get_many(db, [dataset_uid]).get(dataset_uid)
    if not isinstance(dataset, domain.Dataset):
        raise NotFound(f"no dataset {dataset_id!r} in the catalog", path="dataset")
    versions = sorted((v for v in service.versions_of(db, [dataset_uid])[dataset_uid]
                       if isinstance(v, domain.DatasetVersion)), key=_version_key)
    if version is None:
        if not versions:
            raise NotFound(f"dataset {dataset_id!r} has no versions", path="version")
        return dataset, versions[-1]
    found = next((v for v in versions if v.version == version), None)
    if found is None:
        known = ", ".join(v.version for v in versions) or "none"
        raise NotFound(f"dataset {dataset_id!r} has no version {version!r} (versions: {known})", path="version")
    return dataset, found


def croissant_document(db: Database, dataset_id: str, version: str | None = None, *,
                       base_url: str | None = None) -> dict[str, Any]:
    dataset, dv = resolve(db, dataset_id, version)
    u = dv.uid
    features = sorted(service.features_of(db, [u])[u], key=lambda f: f.position)  # type: ignore[attr-defined]
    # The registered content: links with their kinds, numbers as given (what is written imports back the same).
    content = service.version_content(db, u)
    recorded, simulated = content.get("recorded_with") or [], content.get("simulated_with") or []
    detectors = [domain.uid("detector", d) for d in (*recorded, *simulated)]
    experiments = service.related(db, detectors, ["PART_OF"]) if detectors else {}
    owner = next(iter(service.owner_of(db, [dataset.uid])[dataset.uid]), None)
    publications = sorted((p for p in service.publications_of(db, [dataset.uid])[dataset.uid]
                           if isinstance(p, domain.Publication)), key=lambda p: p.id)
    tasks = service.tasks_of(db, [dataset.uid])[dataset.uid]

    licenses = [t[len(TAG_LICENSE):] for t in dataset.tags if t.startswith(TAG_LICENSE)]
    homepage = next((t[len(TAG_HOMEPAGE):] for t in dataset.tags if t.startswith(TAG_HOMEPAGE)), None)
    page = f"{base_url.rstrip('/')}/#/dataset-version/{quote(dv.id, safe='@')}" if base_url else None
    doi_url = f"https://doi.org/{dv.doi}" if dv.doi else None
    file = _file_object(dataset_id, dv)
    url = homepage or page or doi_url or (None if file else dv.location)
    doc: dict[str, Any] = {
        "@context": CONTEXT, "@type": "sc:Dataset", "conformsTo": CROISSANT_1_1, "name": dataset.name,
        "description": dataset.description or dv.description or f"{dataset.name}, version {dv.version}",
        "gc:versionDescription": dv.description,
        "license": licenses or None, "url": url, "version": dv.version, "datePublished": dv.created_at,
        "keywords": [t for t in dataset.tags if not t.startswith((TAG_LICENSE, TAG_HOMEPAGE))] or None,
        "sameAs": doi_url if doi_url and doi_url != url else None,
        "creator": _creator(owner) if isinstance(owner, domain.Owner) else None,
        "citeAs": "\n".join(bibtex(p) for p in publications) or None,
        "gc:publication": [p.id for p in publications] or None,
        "isBasedOn": [_based_on(d["dataset"], d["kind"], base_url) for d in content.get("derived_from") or []] or None,
    }
    if file is None and dv.location and dv.location != url:
        doc["gc:location"] = dv.location  # no checksum: Croissant's FileObject needs one
    doc.update({f"gc:{gc}": getattr(dv, key) for gc, key in GC_VERSION.items()})
    doc.update({f"gc:{gc}": getattr(dv.conditions, key) for gc, key in GC_CONDITIONS.items()})
    parameters = (content.get("conditions") or {}).get("parameters") or {}
    doc["gc:parameter"] = [{"@type": "sc:PropertyValue", "name": k, "value": v}
                           for k, v in sorted(parameters.items())] or None
    doc["gc:recordedWith"] = sorted(recorded) or None
    doc["gc:simulatedWith"] = sorted(simulated) or None
    doc["gc:experiment"] = sorted({e.id for found in experiments.values() for e in found}) or None
    doc["gc:task"] = sorted(t.id for t in tasks) or None
    if file is None and features:
        file = _file_set(dataset_id, dv)  # the fields need a source; a FileSet needs no checksum
    if file is not None:
        doc["distribution"] = [file]
    if features:
        doc["recordSet"] = [_record_set(dataset_id, features, file)]
    return {k: v for k, v in doc.items() if v is not None}


def _file_object(dataset_id: str, dv: domain.DatasetVersion) -> dict[str, Any] | None:
    if not dv.location or not dv.digest:
        return None
    name = urlparse(dv.location).path.rstrip("/").rpartition("/")[2] or f"{dataset_id}-{dv.version}"
    file = {"@type": "cr:FileObject", "@id": name, "name": name, "contentUrl": dv.location,
            "encodingFormat": FORMAT_ENCODINGS.get(dv.format or "", UNKNOWN_ENCODING),
            "sha256": dv.digest.removeprefix("sha256:")}
    if dv.size_bytes is not None:
        file["contentSize"] = f"{dv.size_bytes} B"
    return file


def _file_set(dataset_id: str, dv: domain.DatasetVersion) -> dict[str, Any]:
    where = f"at {dv.location}" if dv.location else "of this dataset version"
    return {"@type": "cr:FileSet", "@id": f"{dataset_id}-files", "name": f"{dataset_id}-files",
            "description": f"The data files {where}; the catalog records no checksum for them.",
            "encodingFormat": FORMAT_ENCODINGS.get(dv.format or "", UNKNOWN_ENCODING), "includes": "*"}


def _record_set(dataset_id: str, features: list[Any], file: dict[str, Any] | None) -> dict[str, Any]:
    fields, seen = [], set()
    for f in features:
        ident = f"{dataset_id}/{quote(f.name, safe='')}"
        ident = ident if ident not in seen else f"{ident}-{f.position}"
        seen.add(ident)
        entry: dict[str, Any] = {"@type": "cr:Field", "@id": ident, "name": f.name,
                                 "dataType": CROISSANT_DTYPES[f.dtype]}
        if f.description:
            entry["description"] = f.description
        if f.unit:
            entry["gc:unit"] = f.unit
        if f.shape:
            entry["isArray"] = True
            entry["arrayShape"] = ",".join("-1" if d is None else str(d) for d in f.shape)
        if file is not None:
            kind = "fileObject" if file["@type"] == "cr:FileObject" else "fileSet"
            entry["source"] = {kind: {"@id": file["@id"]}, "extract": {"column": f.name}}
        fields.append(entry)
    return {"@type": "cr:RecordSet", "@id": dataset_id, "name": dataset_id, "field": fields}


def _creator(owner: domain.Owner) -> dict[str, Any]:
    creator = {"@type": "sc:Organization" if owner.owner_kind == "team" else "sc:Person", "name": owner.name,
               "identifier": owner.id}
    return creator | ({"url": owner.url} if owner.url else {})


def _based_on(parent: str, kind: str, base_url: str | None) -> dict[str, Any]:
    ident, _, version = parent.partition("@")
    found = {"@type": "sc:Dataset", "name": parent, "gc:derivation": kind}
    return found | ({"url": croissant_url(base_url, ident, version)} if base_url else {})
