"""Catalog service: registration, reads by uid, listing, feature matching and batch loaders.

Functions (all take the `Database` first):

- register(db, document) -> ImportReport — any catalog document (docs/catalog-format.md).
- register_model_version(db, model_id, version, *, model=None) -> ModelVersion — one version entry
  (catalog format); `model` ({name, tasks, ...}) is needed only when the model is new. Idempotent;
  changed content -> InvalidInput naming the differing fields.
- register_dataset_version(db, dataset_id, version, *, dataset=None) -> DatasetVersion — likewise.
- record_evaluation(db, model_version_uid, evaluation) -> Evaluation — {dataset, metric, value, date?, source?, notes?}.
- set_alias(db, model_version_uid, alias) -> ModelVersion — moves the alias from the model's other versions.
- deprecate(db, model_version_uid, reason | None) -> ModelVersion.
Every write takes `actor=` (graphcat.domain.Actor; None: the local command's) and records its
changes in the audit trail in its own transaction (graphcat.store.audit).
Lineage between versions (FINE_TUNED_FROM, TRAINED_ON, ...) is part of a version's immutable
content: it is declared when the version is registered; graphcat.service.lineage reads it.
- get_by_uid(db, uid) -> domain.Node (NotFound); get_many(db, uids) -> dict[uid, Node];
  version_content(db, version_uid) -> the version's registered content (catalog entry, canonical).
- list_model_versions(db, filters=None, sort="model", descending=False, first=20, after=None, count=True, keys=None) -> Page
  (keyset pages: opaque cursors of (sort key, uid); the total only when `count`)
  filters: task, framework, owner, tag, trained_on, experiment, alias, has_alias (bool), detector, format, text (a substring of
  the version id/description or model name/description/tags; uids for entities), include_deprecated.
- list_dataset_versions(db, filters=None, first=20, after=None) -> Page — by run conditions:
  data_type, sqrt_s_tev, generator, run_period, pileup_min, pileup_max, experiment, detector, task.
- models_consuming_feature(db, name) -> [(ModelVersion, Feature)] — by canonical name.
- datasets_providing_inputs(db, model_version_uid) -> [DatasetVersion].
Batch loaders (one query per call, for DataLoaders; keys in, a list per key out):
- versions_of(db, family_uids), datasets_trained_on(db, mv_uids) (alias datasets_for_versions),
  inputs_of(db, version_uids), outputs_of(db, mv_uids), features_of(db, dsv_uids),
  evaluations_of(db, mv_uids), tasks_of(db, uids), owner_of(db, uids), publications_of(db, uids),
  related(db, uids, types, outgoing=True) — the general form.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Iterable, Sequence

from graphcat import domain
from graphcat.catalog.files import CatalogInvalid, catalog_schema, schema_problems
from graphcat.catalog.importer import apply_plan, import_documents
from graphcat.catalog.plan import Plan, Problem, Where, plan_evaluation
from graphcat.errors import InvalidInput, NotFound
from graphcat.store import catalog as store
from graphcat.store.database import Database

SORTS = ("model", "created_at", "version")
MAX_PAGE = 500
SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*")
_VERSION_SCHEMA = catalog_schema()["properties"]["models"]["items"]["properties"]["versions"]["items"]
EVALUATION_SCHEMA = {**_VERSION_SCHEMA["properties"]["evaluations"]["items"]}


def register(db: Database, document: dict[str, Any], *, name: str = "<request>",
             actor: domain.Actor | None = None) -> domain.ImportReport:
    report = import_documents(db, [(name, document)], actor=actor)
    _index_follows(db)
    return report


def _index_follows(db: Database) -> None:
    """Keep the recommender's index in step with a committed write (re-encodes only what changed)."""
    from graphcat.service import vector_index

    vector_index.after_write(db)


def _family_entry(db: Database, kind: str, ident: str, given: dict[str, Any] | None) -> dict[str, Any]:
    if given is not None:
        return {"id": ident, **given}
    existing = store.nodes_by_uid(db, [domain.uid(kind, ident)]).get(domain.uid(kind, ident))
    if existing is None:
        raise InvalidInput(f"unknown {kind} {ident!r}; give its name (and tasks, owner...) to create it", path=kind)
    return {"id": ident, "name": existing.name}  # type: ignore[attr-defined]


def register_model_version(db: Database, model_id: str, version: dict[str, Any], *,
                           model: dict[str, Any] | None = None, actor: domain.Actor | None = None,
                           ) -> domain.ModelVersion:
    entry = _family_entry(db, "model", model_id, model)
    register(db, {"graphcat_catalog": 1, "models": [{**entry, "versions": [version]}]}, actor=actor)
    return get_by_uid(db, domain.uid("model_version", f"{model_id}@{version['version']}"))  # type: ignore[return-value]


def register_dataset_version(db: Database, dataset_id: str, version: dict[str, Any], *,
                             dataset: dict[str, Any] | None = None, actor: domain.Actor | None = None,
                             ) -> domain.DatasetVersion:
    entry = _family_entry(db, "dataset", dataset_id, dataset)
    register(db, {"graphcat_catalog": 1, "datasets": [{**entry, "versions": [version]}]}, actor=actor)
    return get_by_uid(db, domain.uid("dataset_version", f"{dataset_id}@{version['version']}"))  # type: ignore[return-value]


def _model_version(db: Database, uid: str) -> domain.ModelVersion:
    node = get_by_uid(db, uid)
    if not isinstance(node, domain.ModelVersion):
        raise InvalidInput(f"{uid!r} is a {node.kind}, not a model version", path="uid")
    return node


def record_evaluation(db: Database, model_version_uid: str, evaluation: dict[str, Any], *,
                      actor: domain.Actor | None = None) -> domain.Evaluation:
    """Add (or restate) an evaluation of a registered model version; evaluations are not immutable content."""
    mv = _model_version(db, model_version_uid)
    problems = [Problem(Where("<request>", "evaluation" if p.where.path == "$" else f"evaluation.{p.where.path}"), p.message)
                for p in schema_problems("<request>", evaluation, EVALUATION_SCHEMA)]
    if problems:
        raise CatalogInvalid(problems)
    plan = Plan()
    plan_evaluation(plan, "<request>", mv.uid, mv.id, evaluation, "evaluation")
    apply_plan(db, plan, ("<request>",), actor=actor)
    return get_by_uid(db, domain.uid("evaluation", f"{mv.id}/{evaluation['dataset']}/{evaluation['metric']}"))  # type: ignore[return-value]


def set_alias(db: Database, model_version_uid: str, alias: str, *, actor: domain.Actor | None = None,
              ) -> domain.ModelVersion:
    """Give the version this alias (e.g. production), taking it from the model's other versions."""
    mv = _model_version(db, model_version_uid)
    if not SLUG.fullmatch(alias):
        raise InvalidInput(f"alias {alias!r} must be a lowercase slug ([a-z0-9][a-z0-9._-]*)", path="alias")
    plan = Plan()
    plan.aliases.append({"model": mv.model_uid, "version": mv.uid, "aliases": sorted(set(mv.aliases) | {alias}),
                         "where": Where("<request>", "alias")})
    apply_plan(db, plan, ("<request>",), actor=actor)
    _index_follows(db)  # the production alias wins ties in the ranking
    return _model_version(db, model_version_uid)


def deprecate(db: Database, model_version_uid: str, reason: str | None, *,
              actor: domain.Actor | None = None) -> domain.ModelVersion:
    _model_version(db, model_version_uid)
    if reason is not None and not reason.strip():
        raise InvalidInput("a deprecation needs a reason", path="reason")
    store.set_deprecation(db, model_version_uid, reason, actor)
    _index_follows(db)  # the ranker puts deprecated versions below their successors
    return _model_version(db, model_version_uid)


def get_by_uid(db: Database, uid: str) -> domain.Node:
    node = store.nodes_by_uid(db, [uid]).get(uid)
    if node is None:
        raise NotFound(f"no catalog node with uid {uid!r}", path="uid")
    return node


def get_many(db: Database, uids: Iterable[str]) -> dict[str, domain.Node]:
    return store.nodes_by_uid(db, uids)


def version_content(db: Database, uid: str) -> dict[str, Any]:
    """A model or dataset version's registered content: its catalog entry as imported, in canonical form
    (numbers as given, e.g. conditions.parameters, which the domain object holds as floats)."""
    row = store.existing(db, [uid]).get(uid)
    if row is None or not row["props"].get("content_json"):
        raise NotFound(f"no model or dataset version with uid {uid!r}", path="uid")
    return json.loads(row["props"]["content_json"])  # type: ignore[no-any-return]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        kind, _, value = text.partition(":")
        if kind != "offset":
            raise ValueError(text)
        return int(value)
    except ValueError as exc:
        raise InvalidInput(f"invalid cursor {cursor!r}", path="after") from exc


def encode_keyset_cursor(sort: str, descending: bool, key: str, uid: str) -> str:
    """An opaque, stable cursor: the position after which the next page starts (sort key, uid)."""
    return base64.urlsafe_b64encode(json.dumps(["mv", sort, descending, key, uid]).encode()).decode()


def decode_keyset_cursor(cursor: str, sort: str, descending: bool) -> tuple[str, str]:
    try:
        kind, c_sort, c_desc, key, uid = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if kind != "mv" or not isinstance(key, str) or not isinstance(uid, str):
            raise ValueError(cursor)
    except (ValueError, TypeError) as exc:  # bad base64, bad JSON, wrong shape
        raise InvalidInput(f"invalid cursor {cursor!r}", path="after") from exc
    if (c_sort, c_desc) != (sort, descending):
        raise InvalidInput(f"cursor {cursor!r} belongs to sort {c_sort!r} (descending={c_desc}), not {sort!r} "
                           f"(descending={descending}); start again without `after`", path="after")
    return key, uid


# Filters that name a catalog entity, and the kind of that entity.
REFERENCE_FILTERS = {"task": "task", "owner": "owner", "trained_on": "dataset_version", "experiment": "experiment",
                     "detector": "detector"}


def resolve_references(db: Database, filters: dict[str, Any], references: dict[str, str] = REFERENCE_FILTERS) -> None:
    """Accept `jet-tagging` as well as `task:jet-tagging` in reference filters (`references`: filter
    -> kind), and refuse a name the catalog does not hold: an unknown (or misspelt) task is an error,
    not an empty page. Rewrites `filters` in place to uids; one read for all of them."""
    given = dict(filters)
    wanted = reference_uids(filters, references)
    if wanted:
        check_references(store.nodes_by_uid(db, wanted.values()), wanted, given, references)


def reference_uids(filters: dict[str, Any], references: dict[str, str] = REFERENCE_FILTERS) -> dict[str, str]:
    """Rewrite the reference filters of `filters` to uids in place; filter -> uid (to check_references)."""
    wanted: dict[str, str] = {}
    for key, kind in references.items():
        value = filters.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{key} must be a non-empty {kind} id, got {value!r}", path=f"filters.{key}")
        wanted[key] = value if value.startswith(f"{kind}:") else domain.uid(kind, value)
    filters.update(wanted)
    return wanted


def check_references(found: dict[str, Any], wanted: dict[str, str], given: dict[str, Any],
                     references: dict[str, str] = REFERENCE_FILTERS) -> None:
    """Refuse a reference filter the catalog does not hold, named as the client gave it."""
    for key, target in wanted.items():
        if target not in found:
            raise InvalidInput(f"unknown {references[key].replace('_', ' ')} {given[key]!r}", path=f"filters.{key}")


def list_model_versions(db: Database, filters: dict[str, Any] | None = None, sort: str = "model",
                        descending: bool = False, first: int = 20, after: str | None = None,
                        count: bool = True, keys: Sequence[str] | None = None) -> domain.Page:
    """A keyset page: O(page) for sorts model and version, whatever the catalog size; the total
    (a separate count; constant time without filters) only when `count`. `keys`: versions with
    only those stored keys (graphcat/api/types/selection.py), for reading those fields only."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {list(SORTS)}, got {sort!r}", path="sort")
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}, got {first}", path="first")
    filters = dict(filters or {})
    unknown = set(filters) - {"task", "framework", "owner", "tag", "trained_on", "experiment", "alias", "has_alias",
                              "detector", "format", "text", "include_deprecated"}
    if unknown:
        raise InvalidInput(f"unknown filter(s) {sorted(unknown)}", path="filters")
    given = dict(filters)
    wanted = reference_uids(filters)
    position = decode_keyset_cursor(after, sort, descending) if after else None
    # The references' check, the page and its total are independent reads: sent at once. The page
    # asks one more than asked: that says whether a next page exists without counting.
    found, rows, total = db.together(
        lambda: store.nodes_by_uid(db, wanted.values()) if wanted else {},
        lambda: store.model_versions_page(db, filters=filters, sort=sort, descending=descending, after=position,
                                          limit=first + 1, keys=keys),
        lambda: store.count_model_versions(db, filters=filters) if count else None)
    check_references(found, wanted, given)  # an unknown reference is an error, not an empty page
    page, more = rows[:first], len(rows) > first
    cursors = tuple(encode_keyset_cursor(sort, descending, key, mv.uid) for mv, key in page)
    return domain.Page(tuple(mv for mv, _ in page), total, cursors[-1] if cursors else None, more, cursors)


def list_dataset_versions(db: Database, filters: dict[str, Any] | None = None, first: int = 20,
                          after: str | None = None) -> domain.Page:
    """Dataset versions by run conditions: data_type, sqrt_s_tev, generator (substring), run_period,
    pileup_min/pileup_max, experiment, detector, task (uids); sorted by uid."""
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}, got {first}", path="first")
    filters = dict(filters or {})
    unknown = set(filters) - set(store.DATASET_FILTERS)
    if unknown:
        raise InvalidInput(f"unknown filter(s) {sorted(unknown)}; known: {list(store.DATASET_FILTERS)}", path="filters")
    resolve_references(db, filters)
    if filters.get("data_type") not in (None, "data", "simulation"):
        raise InvalidInput(f"data_type must be data or simulation, got {filters['data_type']!r}", path="filters.data_type")
    skip = decode_cursor(after) + 1 if after else 0
    items, total = store.list_dataset_versions(db, filters=filters, skip=skip, limit=first)
    end = skip + len(items) - 1
    return domain.Page(tuple(items), total, encode_cursor(end) if items else None, end + 1 < total)


def models_consuming_feature(db: Database, name: str) -> list[tuple[domain.ModelVersion, domain.Feature]]:
    from graphcat.features import canonical_name

    return store.models_consuming_feature(db, canonical_name(name))


def datasets_providing_inputs(db: Database, model_version_uid: str) -> list[domain.DatasetVersion]:
    _model_version(db, model_version_uid)
    return store.datasets_providing_inputs(db, model_version_uid)


# -- batch loaders -----------------------------------------------------------------------------

def related(db: Database, uids: Sequence[str], types: Sequence[str], *, outgoing: bool = True) -> dict[str, list[domain.Node]]:
    unknown = set(types) - set(domain.RELATIONSHIP_TYPES)
    if unknown:
        raise InvalidInput(f"unknown relationship type(s) {sorted(unknown)}", path="types")
    found = store.neighbours(db, uids, types, outgoing=outgoing)
    return {uid: [node for _, _, node in found.get(uid, [])] for uid in uids}


def versions_of(db: Database, family_uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, family_uids, ["HAS_VERSION"])


def datasets_trained_on(db: Database, mv_uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, mv_uids, ["TRAINED_ON"])


datasets_for_versions = datasets_trained_on


def inputs_of(db: Database, version_uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, version_uids, ["HAS_INPUT"])


def outputs_of(db: Database, mv_uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, mv_uids, ["HAS_OUTPUT"])


def features_of(db: Database, dsv_uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, dsv_uids, ["PROVIDES"])


def evaluations_of(db: Database, mv_uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, mv_uids, ["EVALUATES"], outgoing=False)


def tasks_of(db: Database, uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, uids, ["SOLVES", "FOR_TASK"])


def owner_of(db: Database, uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, uids, ["OWNED_BY"])


def publications_of(db: Database, uids: Sequence[str]) -> dict[str, list[domain.Node]]:
    return related(db, uids, ["DESCRIBED_IN"])
