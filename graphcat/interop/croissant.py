"""`graphcat import-croissant`: an MLCommons Croissant file as a graphcat dataset version.

`read_croissant` validates the file with mlcroissant (its errors name the offending node, e.g.
`[Metadata(jets) > FileObject(jets.h5)] ...`) and reads it completely into plain records;
`document` maps them to one graphcat catalog document (docs/interop.md, "Croissant"), which
`import_croissant` writes with import_documents: all-or-nothing, re-runnable, a changed version
is a conflict. The vocabulary shared with the exporter (data types, the graphcat namespace `gc:`)
is defined here; mlcroissant is imported only when a file is read.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphcat.catalog.files import CatalogInvalid
from graphcat.catalog.importer import import_documents
from graphcat.domain import ImportReport
from graphcat.errors import InvalidInput
from graphcat.interop.commands import relabel
from graphcat.interop.croissant_bibtex import citation_publications
from graphcat.interop.mlflow_mapping import slug
from graphcat.store.database import Database

# graphcat's own vocabulary for what neither schema.org nor Croissant has a property for.
GC_NAMESPACE = "urn:graphcat:croissant:"
CROISSANT_1_1 = "http://mlcommons.org/croissant/1.1"
# Croissant / schema.org data type (local name) -> graphcat dtype, and back.
DTYPES = {"Boolean": "bool", "Int8": "int8", "Int16": "int16", "Int32": "int32", "Int64": "int64",
          "UInt8": "uint8", "UInt16": "uint16", "UInt32": "uint32", "UInt64": "uint64", "Float16": "float16",
          "Float32": "float32", "Float64": "float64", "Float": "float64", "Integer": "int64", "Text": "string",
          "URL": "string", "Date": "string", "DateTime": "string", "Time": "string"}
CROISSANT_DTYPES = {"bool": "sc:Boolean", "string": "sc:Text",
                    **{d: f"cr:{d[0].upper()}{d[1:]}" for d in ("int8", "int16", "int32", "int64", "float16",
                                                                 "float32", "float64")},
                    **{d: f"cr:UInt{d[4:]}" for d in ("uint8", "uint16", "uint32", "uint64")}}
ENCODINGS = {"application/x-hdf5": "hdf5", "application/x-hdf": "hdf5", "application/hdf5": "hdf5",
             "application/x-parquet": "parquet", "application/vnd.apache.parquet": "parquet", "text/csv": "csv",
             "application/x-root": "root", "application/x-npz": "npz"}
UNKNOWN_ENCODING = "application/octet-stream"
FORMAT_ENCODINGS = {"hdf5": "application/x-hdf5", "parquet": "application/x-parquet", "csv": "text/csv",
                    "root": "application/x-root", "npz": "application/x-npz"}
# gc:<name> on the dataset <-> graphcat dataset version conditions / properties.
GC_CONDITIONS = {"sqrtSTeV": "sqrt_s_tev", "pileupMean": "pileup_mean", "runPeriod": "run_period",
                 "generator": "generator", "tune": "tune", "detectorSimulation": "detector_simulation",
                 "kinematicRange": "kinematic_range"}
GC_VERSION = {"numEvents": "num_events", "dataType": "data_type", "format": "format"}
TAG_LICENSE, TAG_HOMEPAGE = "license=", "homepage="
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKMGTP]i?)?B?\s*$")
_SIZE_UNITS = {None: 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
               "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}


class CroissantSourceError(InvalidInput):
    """The Croissant file could not be read or mapped: names the file and the node or field."""


@dataclass(frozen=True)
class FileRecord:
    id: str
    name: str | None
    kind: str  # FileObject | FileSet
    content_url: str | None
    encoding_formats: tuple[str, ...]
    sha256: str | None
    content_size: str | None
    contained_in: tuple[str, ...]


@dataclass(frozen=True)
class FieldRecord:
    record_set: str
    name: str
    data_types: tuple[str, ...]  # IRIs
    is_array: bool
    array_shape: str | None
    description: str | None
    unit: str | None
    sources: tuple[str, ...]  # ids of the FileObject / FileSet it is extracted from


@dataclass(frozen=True)
class CroissantRecord:
    path: str
    name: str
    description: str | None
    licenses: tuple[str, ...]
    url: str | None
    version: str | None
    cite_as: str | None
    creators: tuple[tuple[str, str, str | None, str | None], ...]  # (Person | Organization, name, url, identifier)
    date_published: str | None
    keywords: tuple[str, ...]
    same_as: tuple[str, ...]
    files: tuple[FileRecord, ...]
    fields: tuple[FieldRecord, ...]
    extras: dict[str, Any] = field(default_factory=dict)  # gc:<name> (name without prefix) -> value
    based_on: tuple[tuple[str, str], ...] = ()  # isBasedOn written by graphcat: (id@version, gc:derivation)


def read_croissant(path: str | Path) -> CroissantRecord:
    import mlcroissant as mlc

    path = Path(path)
    if not path.is_file():
        raise CroissantSourceError(f"{path}: no such Croissant file")
    try:
        metadata = mlc.Dataset(jsonld=str(path)).metadata
    except mlc.ValidationError as exc:
        raise CroissantSourceError(f"{path}: not valid Croissant (mlcroissant): {_report(exc)}") from exc
    except (ValueError, TypeError, KeyError) as exc:  # not JSON, or JSON mlcroissant cannot interpret
        raise CroissantSourceError(f"{path}: cannot be read as Croissant JSON-LD: {exc}") from exc
    where = str(path)
    files = tuple(_file(f) for f in metadata.distribution)
    fields: list[FieldRecord] = []
    for rs in metadata.record_sets:
        if any(_local(t) == "Split" for t in (rs.data_types or [])):
            continue  # an enumeration of split names, not data the events carry
        for f in rs.fields:
            fields.extend(_fields(_text(rs.name) or rs.id, f, ""))
    return CroissantRecord(
        path=where, name=_text(metadata.name) or "", description=_text(metadata.description),
        licenses=tuple(_license(x) for x in (metadata.license or [])), url=metadata.url, version=metadata.version,
        cite_as=metadata.cite_as, creators=tuple(_creator(c) for c in (metadata.creators or []) if _text(c.name)),
        date_published=_date(metadata.date_published), keywords=tuple(str(k) for k in (metadata.keywords or [])),
        same_as=tuple(str(s) for s in _listed(metadata.same_as)), files=files, fields=tuple(fields),
        extras=_extras(metadata), based_on=_based_on(metadata))


def _report(exc: Exception) -> str:
    lines = [line.strip(" -") for line in str(exc).splitlines() if line.strip()]
    return "; ".join(line for line in lines if not line.startswith("Found the following")) or type(exc).__name__


def _text(value: Any) -> str | None:
    """A plain string; Croissant 1.1 also allows a language map ({"en": ...})."""
    if isinstance(value, dict):
        value = value.get("en", next(iter(value.values()), None))
    return str(value) if value not in (None, "") else None


def _listed(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def _local(iri: Any) -> str:
    return re.split(r"[/#]", str(iri))[-1]


def _license(value: Any) -> str:
    return str(getattr(value, "url", None) or getattr(value, "name", None) or value)


def _creator(c: Any) -> tuple[str, str, str | None, str | None]:
    identifier = c.extra_properties.get(c.ctx.rdf.shorten_key("https://schema.org/identifier"))
    return (type(c).__name__, _text(c.name) or "", getattr(c, "url", None),
            str(identifier) if isinstance(identifier, (str, int)) else None)


def _date(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "hour") and (value.hour, value.minute, value.second) == (0, 0, 0):
        return value.date().isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _file(f: Any) -> FileRecord:
    return FileRecord(id=str(f.id), name=_text(getattr(f, "name", None)), kind=type(f).__name__,
                      content_url=getattr(f, "content_url", None),
                      encoding_formats=tuple(_listed(getattr(f, "encoding_formats", None))),
                      sha256=getattr(f, "sha256", None), content_size=getattr(f, "content_size", None),
                      contained_in=tuple(str(c) for c in _listed(getattr(f, "contained_in", None))))


def _fields(record_set: str, f: Any, prefix: str) -> list[FieldRecord]:
    name = prefix + (_text(f.name) or str(f.id).rpartition("/")[2])
    if f.sub_fields:  # nested fields become flat features named parent.child
        return [r for sub in f.sub_fields for r in _fields(record_set, sub, f"{name}.")]
    source = f.source
    sources = tuple(str(s) for s in (getattr(source, "file_object", None), getattr(source, "file_set", None)) if s)
    unit = _extra(f, "unit") or f.extra_properties.get(f.ctx.rdf.shorten_key("https://schema.org/unitText"))
    return [FieldRecord(record_set=record_set, name=name, data_types=tuple(str(t) for t in f.data_types or ()),
                        is_array=bool(f.is_array or getattr(f, "repeated", False)), array_shape=f.array_shape,
                        description=_text(f.description), unit=str(unit) if unit is not None else None,
                        sources=sources)]


def _extra(node: Any, name: str) -> Any:
    """A graphcat-namespace property, whatever prefix the file's @context gives GC_NAMESPACE."""
    return node.extra_properties.get(node.ctx.rdf.shorten_key(GC_NAMESPACE + name))


def _extras(metadata: Any) -> dict[str, Any]:
    names = [*GC_CONDITIONS, *GC_VERSION, "parameter", "location", "versionDescription", "recordedWith",
             "simulatedWith", "publication"]
    return {n: v for n in names if (v := _extra(metadata, n)) is not None}


def _based_on(metadata: Any) -> tuple[tuple[str, str], ...]:
    """isBasedOn entries that name a catalog dataset version and how it was derived (graphcat's export)."""
    rdf = metadata.ctx.rdf
    found = []
    for item in _listed(metadata.extra_properties.get(rdf.shorten_key("https://schema.org/isBasedOn"))):
        if isinstance(item, dict):
            name = item.get(rdf.shorten_key("https://schema.org/name"))
            kind = item.get(rdf.shorten_key(GC_NAMESPACE + "derivation"))
            if isinstance(name, str) and isinstance(kind, str):
                found.append((name, kind))
    return tuple(found)


# -- mapping ----------------------------------------------------------------------------------------

def document(rec: CroissantRecord, *, dataset_id: str | None = None, version: str | None = None
             ) -> tuple[dict[str, Any], dict[str, str]]:
    """The catalog document for the Croissant file, and document path -> Croissant node labels."""
    ident = dataset_id or slug(rec.name)
    version = version or rec.version
    if not rec.name and not dataset_id:
        raise CroissantSourceError(f"{rec.path}: name: the dataset has no name (give --id)")
    if not version:
        raise CroissantSourceError(f"{rec.path}: version: the dataset has no version; graphcat registers "
                                   "a dataset version (give --version)")
    labels = {"datasets[0].versions[0]": f"dataset {rec.name!r} version {version}"}
    main, read_from = _main_file(rec)
    entry: dict[str, Any] = {"version": str(version), "created_at": rec.date_published,
                             "description": _version_description(rec, main),
                             "location": main.content_url if main else rec.extras.get("location") or rec.url,
                             "doi": next((_doi(s) for s in (*rec.same_as, rec.url or "") if _doi(s)), None)}
    if main is not None:
        labels["datasets[0].versions[0].digest"] = f"FileObject {main.id!r} sha256"
        entry["digest"] = f"sha256:{main.sha256.lower()}" if main.sha256 else None
        entry["size_bytes"] = _size(main.content_size)
    if main is not None or read_from is not None:
        formats = (read_from.encoding_formats if read_from else ()) or (main.encoding_formats if main else ())
        known = [e for e in formats if e != UNKNOWN_ENCODING]  # octet-stream says nothing of the format
        entry["format"] = next((ENCODINGS[e] for e in known if e in ENCODINGS), "other" if known else None)
    entry.update({key: rec.extras[gc] for gc, key in GC_VERSION.items() if gc in rec.extras})  # gc:format wins
    conditions = {key: rec.extras[gc] for gc, key in GC_CONDITIONS.items() if gc in rec.extras}
    if "parameter" in rec.extras:
        conditions["parameters"] = _parameters(rec.extras["parameter"], rec.path)
    entry["conditions"] = conditions or None
    # Catalog links graphcat's export writes: they must name entities of this catalog (the importer says which not).
    entry["recorded_with"] = sorted(str(d) for d in _listed(rec.extras.get("recordedWith")))
    entry["simulated_with"] = sorted(str(d) for d in _listed(rec.extras.get("simulatedWith")))
    entry["derived_from"] = [{"dataset": name, "kind": kind} for name, kind in rec.based_on]
    entry["features"] = _features(rec, labels)
    # The url as the homepage, unless it is already the version's DOI or location.
    homepage = rec.url if rec.url and rec.url != entry["location"] and not _doi(rec.url) else None
    tags = [*rec.keywords, *(TAG_LICENSE + x for x in rec.licenses), *([TAG_HOMEPAGE + homepage] if homepage else [])]
    family: dict[str, Any] = {"id": ident, "name": rec.name or ident, "description": rec.description,
                              "tags": list(dict.fromkeys(tags)), "versions": [entry]}  # order kept, as graphcat does
    doc: dict[str, Any] = {"graphcat_catalog": 1}
    if rec.creators:
        kind, name, url, identifier = rec.creators[0]
        # graphcat's export gives the owner's id as the creator's identifier
        owner = identifier if identifier and _SLUG.fullmatch(identifier) else slug(name)
        doc["owners"] = [{"id": owner, "name": name, "kind": "team" if kind == "Organization" else "person",
                          "url": url}]
        family["owner"] = owner
    if rec.cite_as:
        known = [str(p) for p in _listed(rec.extras.get("publication"))]  # graphcat's export names its ids
        doc["publications"] = citation_publications(rec.cite_as, ident, known)
        family["described_in"] = [p["id"] for p in doc["publications"]]
    doc["datasets"] = [family]
    return doc, labels


def _main_file(rec: CroissantRecord) -> tuple[FileRecord | None, FileRecord | None]:
    """The FileObject the record sets read from (through a FileSet's containing archive), else the first one;
    and the file node the fields name (a FileSet's encodingFormat says what the data files are)."""
    by_id = {f.id: f for f in rec.files}

    def root(f: FileRecord, seen: frozenset[str] = frozenset()) -> FileRecord | None:
        if f.kind == "FileObject" and f.content_url:
            return f
        parents = [by_id[c] for c in f.contained_in if c in by_id and c not in seen]
        return next((r for p in parents if (r := root(p, seen | {f.id})) is not None), None)

    named = Counter(s for fr in rec.fields for s in fr.sources if s in by_id)
    for fid, _ in named.most_common():
        if (found := root(by_id[fid])) is not None:
            return found, by_id[fid]
    first = next((f for f in rec.files if f.kind == "FileObject" and f.content_url), None)
    # No FileObject holds what the fields read (a FileSet of local files): its format is still known.
    return first, None if first is not None or not named else by_id[named.most_common(1)[0][0]]


def _version_description(rec: CroissantRecord, main: FileRecord | None) -> str | None:
    """gc:versionDescription (graphcat's export writes a version's own description there), and the
    FileObjects besides the main one, which the version has no other field for."""
    others = [f"{f.name or f.id} ({f.content_url})" for f in rec.files
              if f.kind == "FileObject" and (main is None or f.id != main.id)]
    own = rec.extras.get("versionDescription")
    note = "Croissant distribution, other files: " + "; ".join(others) if others else None
    return "\n\n".join(filter(None, [str(own) if own is not None else None, note])) or None


def _features(rec: CroissantRecord, labels: dict[str, str]) -> list[dict[str, Any]]:
    counts = Counter(f.name for f in rec.fields)
    features = []
    for k, f in enumerate(rec.fields):
        label = f"recordSet {f.record_set!r} field {f.name!r}"
        labels[f"datasets[0].versions[0].features[{k}]"] = label
        dtype = next((DTYPES[_local(t)] for t in f.data_types if _local(t) in DTYPES), None)
        if dtype is None:
            raise CroissantSourceError(f"{rec.path}: {label}: dataType {', '.join(f.data_types) or '(none)'} "
                                       f"has no graphcat dtype (mapped: {', '.join(sorted(DTYPES))})")
        name = f"{f.record_set}.{f.name}" if counts[f.name] > 1 else f.name
        feature = {"name": name, "dtype": dtype, "shape": _shape(f, rec.path, label), "unit": f.unit,
                   "description": f.description}
        features.append({key: value for key, value in feature.items() if value is not None})
    return features


def _shape(f: FieldRecord, path: str, label: str) -> list[int | None]:
    """The field's per-event shape: arrayShape's -1 (any length) kept as -1, as Croissant writes it."""
    if not f.is_array:
        return []
    if not f.array_shape:
        return [None]  # an array of unspecified length
    dims = []
    for d in f.array_shape.split(","):
        n = int(d)  # mlcroissant has already checked it parses
        if n < -1 or n == 0:
            raise CroissantSourceError(f"{path}: {label}: arrayShape {f.array_shape!r}: {n} is not a length or -1")
        dims.append(n)
    return dims


def _size(text: str | None) -> int | None:
    match = _SIZE.match(text or "")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)]) if match else None


def _doi(text: str) -> str | None:
    match = re.match(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)(10\.\S+)$", text.strip())
    return match.group(1) if match else None


def _parameters(value: Any, path: str) -> dict[str, float]:
    out = {}
    for item in _listed(value):
        name = item.get("name", item.get("sc:name")) if isinstance(item, dict) else None
        number = item.get("value", item.get("sc:value")) if isinstance(item, dict) else None
        if not isinstance(name, str) or isinstance(number, bool) or not isinstance(number, (int, float)):
            raise CroissantSourceError(f"{path}: gc:parameter: {item!r} is not a PropertyValue with a name and a "
                                       "numeric value")
        out[name] = number
    return out


# -- the command ------------------------------------------------------------------------------------

def import_croissant(db: Database, path: str | Path, *, dataset_id: str | None = None, version: str | None = None,
                     progress: bool = False) -> ImportReport:
    rec = read_croissant(path)
    doc, labels = document(rec, dataset_id=dataset_id, version=version)
    try:
        return import_documents(db, [(str(path), doc)], progress=progress)
    except CatalogInvalid as exc:
        raise CatalogInvalid([relabel(p, labels) for p in exc.problems]) from exc

