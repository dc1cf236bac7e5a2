"""The catalog's domain objects: plain frozen dataclasses, free of any storage type.

Every catalog node has a stable `uid` ("<kind>:<id>", e.g. `model_version:particlenet-top@1.0.0`)
and a `kind`; `display` is a human label for drawing. The store turns Neo4j records into these
objects (graphcat.store.catalog.to_domain); the GraphQL layer wraps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Kinds, their Neo4j labels and uid prefixes. Every catalog node also carries the label Catalog.
KIND_LABELS: dict[str, tuple[str, ...]] = {
    "experiment": ("Experiment",),
    "detector": ("Detector",),
    "task": ("Task",),
    "owner": ("Owner",),  # plus Person or Team
    "publication": ("Publication",),
    "dataset": ("Dataset",),
    "dataset_version": ("DatasetVersion",),
    "model": ("Model",),
    "model_version": ("ModelVersion",),
    "feature": ("Feature",),
    "evaluation": ("Evaluation",),
}

MODEL_LINEAGE_TYPES = ("FINE_TUNED_FROM", "DISTILLED_FROM", "QUANTIZED_FROM", "CONVERTED_FROM")
# Relationships that carry provenance; every one points from the dependent to what it depends on.
LINEAGE_TYPES = (
    "TRAINED_ON",
    *MODEL_LINEAGE_TYPES,
    "DERIVED_FROM",
    "RECORDED_WITH",
    "SIMULATED_WITH",
    "EVALUATES",
    "EVALUATED_ON",
)
# Every relationship type in the catalog graph (lineage and structure).
RELATIONSHIP_TYPES = (
    *LINEAGE_TYPES,
    "PART_OF",
    "SUBTASK_OF",
    "SOLVES",
    "FOR_TASK",
    "OWNED_BY",
    "DESCRIBED_IN",
    "HAS_VERSION",
    "HAS_INPUT",
    "HAS_OUTPUT",
    "PROVIDES",
)


def uid(kind: str, ident: str) -> str:
    return f"{kind}:{ident}"


def version_order_key(version: str, created_at: str | None) -> tuple[list[tuple[int, Any]], str]:
    """Sort key of a version, oldest first (reverse it for newest first): its version string compared
    part by part, numbers as numbers ("1.10.0" after "1.9.0"), then its creation date (often not given)."""
    parts = [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.+-]", version)]
    return (parts, created_at or "")


def split_uid(value: str) -> tuple[str, str]:
    kind, _, ident = value.partition(":")
    return kind, ident


@dataclass(frozen=True, kw_only=True)
class Node:
    uid: str
    kind: str
    id: str
    display: str


@dataclass(frozen=True, kw_only=True)
class Experiment(Node):
    name: str
    description: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Detector(Node):
    name: str
    detector_kind: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Task(Node):
    name: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Owner(Node):
    name: str
    owner_kind: str  # person | team
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Publication(Node):
    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    arxiv: str | None = None
    doi: str | None = None
    url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Dataset(Node):
    name: str
    description: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conditions:
    sqrt_s_tev: float | None = None
    pileup_mean: float | None = None
    run_period: str | None = None
    generator: str | None = None
    tune: str | None = None
    detector_simulation: str | None = None
    kinematic_range: str | None = None
    # Numeric generation/simulation knobs by name (pT window centre, smearing, aLund...), sorted.
    parameters: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, kw_only=True)
class DatasetVersion(Node):
    dataset_uid: str
    version: str
    created_at: str | None = None
    description: str | None = None
    format: str | None = None
    location: str | None = None
    doi: str | None = None
    digest: str | None = None
    size_bytes: int | None = None
    num_events: int | None = None
    data_type: str | None = None  # simulation | data
    conditions: Conditions = field(default_factory=Conditions)
    content_hash: str = ""


@dataclass(frozen=True, kw_only=True)
class Model(Node):
    name: str
    description: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Artifact:
    uri: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Hyperparameters:
    learning_rate: float | None = None
    batch_size: int | None = None
    epochs: int | None = None
    optimizer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reproducibility:
    code_repository: str | None = None
    commit: str | None = None
    environment: str | None = None
    training_config: str | None = None
    seed: int | None = None


@dataclass(frozen=True, kw_only=True)
class ModelVersion(Node):
    model_uid: str
    version: str
    created_at: str | None = None
    description: str | None = None
    framework: str | None = None
    format: str | None = None
    artifact: Artifact = field(default_factory=Artifact)
    license: str | None = None
    tags: tuple[str, ...] = ()  # the version's own labels (part of its content)
    hyperparameters: Hyperparameters = field(default_factory=Hyperparameters)
    reproducibility: Reproducibility = field(default_factory=Reproducibility)
    aliases: tuple[str, ...] = ()
    deprecated_reason: str | None = None
    content_hash: str = ""

    @property
    def deprecated(self) -> bool:
        return self.deprecated_reason is not None


@dataclass(frozen=True, kw_only=True)
class Feature(Node):
    owner_uid: str  # the model version or dataset version
    role: str  # input | output | provides
    position: int
    name: str
    canonical: str
    dtype: str
    shape: tuple[int | None, ...] = ()  # None marks a variable-length axis
    shape_given: tuple[int | str | None, ...] = ()  # as written: -1, "N" or null for a variable axis
    unit: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class Evaluation(Node):
    model_version_uid: str
    dataset_version_uid: str
    metric: str
    value: float
    date: str | None = None
    source_url: str | None = None
    source_publication_uid: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class LineageNode:
    uid: str
    kind: str
    label: str
    depth: int  # hops from the start node (0 for the start itself)


@dataclass(frozen=True)
class LineageEdge:
    type: str
    from_uid: str
    to_uid: str


@dataclass(frozen=True)
class Subgraph:
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]
    # A lineage walk stops at a node limit (nearest first): truncated says nodes were left out;
    # total_count is the number of nodes reached when known (None when the walk stopped early).
    truncated: bool = False
    total_count: int | None = None
    # True when nodes the caller may not see (private namespaces) adjoin the drawing and were left
    # out; which ones is never said (graphcat.store.visibility).
    hidden_cut: bool = False


@dataclass(frozen=True)
class Impact:
    """Everything downstream of a node (usually a dataset version found faulty)."""

    root: str
    dataset_versions: tuple[LineageNode, ...]  # derived datasets
    model_versions: tuple[LineageNode, ...]  # trained on it or on its descendants: retrain
    evaluations: tuple[LineageNode, ...]  # measured on it or on affected models: redo
    subgraph: Subgraph


@dataclass(frozen=True)
class Page:
    items: tuple[Any, ...]
    total_count: int | None  # None when the caller did not ask for it (counting is not free)
    end_cursor: str | None
    has_next_page: bool
    cursors: tuple[str, ...] = ()  # one opaque cursor per item, when the listing gives them


@dataclass(frozen=True)
class ImportReport:
    files: tuple[str, ...]
    created: dict[str, int]
    unchanged: dict[str, int]
    updated: dict[str, int]

    def summary(self) -> str:
        parts = []
        for kind in KIND_LABELS:
            c, u, up = self.created.get(kind, 0), self.unchanged.get(kind, 0), self.updated.get(kind, 0)
            if c or u or up:
                parts.append(f"{kind}: {c} created, {up} updated, {u} unchanged")
        return "; ".join(parts) or "nothing to import"


# -- the audit trail (graphcat.store.audit) -------------------------------------------------------

@dataclass(frozen=True)
class Actor:
    """Who makes a write, passed api -> service -> store and recorded with every change.

    `subject`: the caller's identity (an API token's name, an OIDC `sub`, `cli:<os user>` for local
    commands); `token_id`: the API token used, if any; `address`: the client's address, "cli" for
    writes made by a local command."""

    subject: str
    token_id: str | None = None
    address: str = "cli"

    @classmethod
    def local(cls) -> "Actor":
        """The actor of a local command (graphcat CLI, a script, the test suite)."""
        import getpass

        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no user name for this uid (some containers)
            user = "unknown"
        return cls(subject=f"cli:{user}", token_id=None, address="cli")


@dataclass(frozen=True)
class Change:
    """One recorded change of one entity: append-only, written in the write's own transaction."""

    id: str  # "<at>~<write>~<seq>": sorts by time; the keyset of history and changes
    at: str  # ISO 8601 UTC, microseconds
    write: str  # the id of the write (one transaction) the change belongs to
    entity: str  # the entity's uid (e.g. model_version:x@1, api_token:<id>)
    entity_kind: str
    operation: str  # create, update, alias, deprecate, undeprecate, link, measure, token-create, token-revoke
    before: str | None  # sha256 of the entity's state before the write (None: it did not exist)
    after: str | None  # ... and after it
    actor: Actor
    source: str | None = None  # the files of an import, or what else made the write
