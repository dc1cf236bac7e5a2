"""Browsing the catalog: a keyset page of any entity kind (and of Hardware), and the catalog summary.

- list_entities(db, kind, filters=None, first=20, after=None, count=True) -> Page — the nodes of
  `kind` (experiment, detector, task, owner, publication, model, dataset, evaluation) sorted by id,
  with one opaque cursor per item; the total only when `count`. Filters by kind:
  model, dataset: task (its subtasks too), owner, experiment (data recorded or simulated with its
  detectors: a dataset's versions, a model's versions' training data); model: framework (of any
  version), data_type (simulation or data: of a version's training data), max_p99_ms (a version
  whose newest batch-1 benchmark on some machine has p99 <= it, in ms), alias (a version carries it:
  production, staging, champion...), has_alias (True: a version carries some alias; False: none does); task: roots_only;
  evaluation: model_version, dataset_version, dataset (entity ids or uids), metric.
  An unknown entity in a filter is an InvalidInput (as for list_model_versions); a metric nothing
  was measured with is an empty page.
- list_hardware(db, first=20, after=None, count=True) -> Page of Hardware property maps, by id.
- model_facets(db, filters=None, budgets=(1, 10, 100)) -> ModelFacets: for each facet of the model
  list (task, experiment, framework, data_type, alias, max_p99_ms: the given budgets), the models per
  value that match it and every other filter (narrowed as on the Hugging Face Hub); one query.
- summary(db) -> Summary: counts per kind (count store), per task, per experiment, per framework, per alias.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Any, Sequence

from graphcat import domain
from graphcat.errors import InvalidInput
from graphcat.service.catalog import MAX_PAGE, SLUG, resolve_references
from graphcat.store import browse as store
from graphcat.store.database import Database

# The filters each kind accepts, and the kind of entity each reference filter names (None: a value).
KIND_FILTERS: dict[str, dict[str, str | None]] = {
    "experiment": {}, "detector": {}, "owner": {}, "publication": {},
    "task": {"roots_only": None},
    "model": {"task": "task", "owner": "owner", "experiment": "experiment", "framework": None, "data_type": None,
              "max_p99_ms": None, "alias": None, "has_alias": None},
    "dataset": {"task": "task", "owner": "owner", "experiment": "experiment"},
    "evaluation": {"model_version": "model_version", "dataset_version": "dataset_version", "dataset": "dataset",
                   "metric": None},
}


@dataclass(frozen=True)
class Summary:
    kinds: dict[str, int]
    tasks: list[dict[str, Any]]  # task (domain.Task), parent_uid, models, datasets, models_in_tree, model_versions_in_tree
    experiments: list[dict[str, Any]]  # experiment (domain.Experiment), detectors, dataset_versions, model_versions
    frameworks: list[dict[str, Any]]  # framework (None: not stated), model_versions
    aliases: list[dict[str, Any]]  # alias, model_versions (carrying it)


# The model list's facets (filter names), in the page's order; the latency budgets counted by default.
FACETS = ("task", "experiment", "framework", "data_type", "alias", "max_p99_ms")
DEFAULT_BUDGETS = (1.0, 10.0, 100.0)
MAX_BUDGETS = 20


@dataclass(frozen=True)
class ModelFacets:
    total: int  # models matching every filter
    # facet -> (value, models) most first; task and experiment values are uids, max_p99_ms the budgets ("1", "2.5")
    counts: dict[str, tuple[tuple[str, int], ...]]


def encode_cursor(kind: str, position: str) -> str:
    """An opaque cursor: the uid (Hardware: the id) after which the next page of `kind` starts."""
    return base64.urlsafe_b64encode(json.dumps(["browse", kind, position]).encode()).decode()


def decode_cursor(cursor: str, kind: str) -> str:
    try:
        marker, c_kind, position = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if marker != "browse" or not isinstance(c_kind, str) or not isinstance(position, str):
            raise ValueError(cursor)
    except (ValueError, TypeError) as exc:  # bad base64, bad JSON, wrong shape
        raise InvalidInput(f"invalid cursor {cursor!r}", path="after") from exc
    if c_kind != kind:
        raise InvalidInput(f"cursor {cursor!r} belongs to a list of {c_kind}, not of {kind}; start again without `after`",
                           path="after")
    if kind != "hardware" and not position.startswith(f"{kind}:"):
        raise InvalidInput(f"invalid cursor {cursor!r}", path="after")
    return position


def _check_first(first: int) -> None:
    if not 0 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be between 0 and {MAX_PAGE}, got {first}", path="first")


def _check_values(filters: dict[str, Any]) -> None:
    """Facet values the store cannot look up: a wrong one is an error, not an empty page."""
    if filters.get("data_type") not in (None, "data", "simulation"):
        raise InvalidInput(f"data_type must be data or simulation, got {filters['data_type']!r}", path="filters.dataType")
    budget = filters.get("max_p99_ms")
    if budget is not None and not (isinstance(budget, (int, float)) and 0 < budget < math.inf):
        raise InvalidInput(f"maxP99Ms must be a positive number of milliseconds, got {budget!r}", path="filters.maxP99Ms")
    alias = filters.get("alias")
    if alias is not None and not (isinstance(alias, str) and SLUG.fullmatch(alias)):
        raise InvalidInput(f"alias must be a lowercase slug ([a-z0-9][a-z0-9._-]*) such as production, got {alias!r}",
                           path="filters.alias")
    if alias is not None and filters.get("has_alias") is False:
        raise InvalidInput(f"alias {alias!r} with hasAlias false matches nothing: give one or the other",
                           path="filters.hasAlias")


def _checked_filters(db: Database, kind: str, filters: dict[str, Any] | None) -> dict[str, Any]:
    """The given filters of `kind`, checked, with entity references resolved to uids."""
    allowed = KIND_FILTERS[kind]
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    unknown = set(filters) - set(allowed)
    if unknown:
        raise InvalidInput(f"unknown filter(s) {sorted(unknown)} for {kind}; known: {sorted(allowed)}", path="filters")
    _check_values(filters)
    resolve_references(db, filters, {k: v for k, v in allowed.items() if v is not None})
    return filters


def _page(items: list[Any], positions: list[str], kind: str, first: int, total: int | None) -> domain.Page:
    # One more than asked was read: it says whether a next page exists without counting.
    cursors = tuple(encode_cursor(kind, p) for p in positions[:first])
    return domain.Page(tuple(items[:first]), total, cursors[-1] if cursors else None, len(items) > first, cursors)


def list_entities(db: Database, kind: str, filters: dict[str, Any] | None = None, first: int = 20,
                  after: str | None = None, count: bool = True) -> domain.Page:
    if kind not in KIND_FILTERS:
        raise InvalidInput(f"kind must be one of {sorted(KIND_FILTERS)}, got {kind!r}", path="kind")
    _check_first(first)
    filters = _checked_filters(db, kind, filters)
    position = decode_cursor(after, kind) if after else None
    items = store.entities_page(db, kind, filters=filters, after=position, limit=first + 1)
    total = store.count_entities(db, kind, filters=filters) if count else None
    return _page(items, [n.uid for n in items], kind, first, total)


def list_hardware(db: Database, first: int = 20, after: str | None = None, count: bool = True) -> domain.Page:
    _check_first(first)
    position = decode_cursor(after, "hardware") if after else None
    items = store.hardware_page(db, after=position, limit=first + 1)
    total = store.kind_counts(db)["hardware"] if count else None
    return _page(items, [h["id"] for h in items], "hardware", first, total)


def model_facets(db: Database, filters: dict[str, Any] | None = None,
                 budgets: Sequence[float] = DEFAULT_BUDGETS) -> ModelFacets:
    """The model list's facet counts, each narrowed by the other given filters (those of
    list_entities for models): one query, whatever the number of facets."""
    filters = _checked_filters(db, "model", filters)
    budgets = list(budgets)
    if len(budgets) > MAX_BUDGETS:
        raise InvalidInput(f"at most {MAX_BUDGETS} latency budgets, got {len(budgets)}", path="latencyBudgets")
    for i, budget in enumerate(budgets):
        if not (isinstance(budget, (int, float)) and 0 < budget < math.inf):
            raise InvalidInput(f"latency budget {budget!r} must be a positive number of milliseconds",
                               path=f"latencyBudgets[{i}]")
    row = store.model_facets(db, filters=filters, budgets=[float(b) for b in budgets])
    counts = {facet: tuple((str(r["value"]), int(r["count"])) for r in row[facet]) for facet in FACETS if facet != "max_p99_ms"}
    counts["max_p99_ms"] = tuple((f"{r['value']:g}", int(r["count"])) for r in row["max_p99_ms"])
    return ModelFacets(total=int(row["total"]), counts=counts)


def summary(db: Database) -> Summary:
    """Five small reads: kind counts come from the count store, the rest walk tasks and experiments
    (tens of nodes) and model versions' framework and aliases properties."""
    return Summary(kinds=store.kind_counts(db), tasks=store.task_counts(db), experiments=store.experiment_counts(db),
                   frameworks=store.framework_counts(db), aliases=store.alias_counts(db))
