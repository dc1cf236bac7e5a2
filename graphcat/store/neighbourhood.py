"""Batch reads shaped for the GraphQL layer's DataLoaders: one query for many keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from graphcat import domain
from graphcat.store import catalog as store
from graphcat.store.catalog import neighbours, to_domain
from graphcat.store.database import Database


@dataclass(frozen=True)
class VersionNeighbourhood:
    model: domain.Node
    tasks: tuple[domain.Node, ...]
    trained_on: tuple[domain.Node, ...]
    evaluations: tuple[domain.Node, ...]
    evaluated_on: tuple[domain.Node, ...]  # the dataset versions of those evaluations
    detectors: dict[str, tuple[domain.Node, ...]]  # trained_on uid -> its detectors (by uid)


def version_neighbourhoods(db: Database, uids: Sequence[str]) -> dict[str, VersionNeighbourhood]:
    """Model, tasks, training datasets and their detectors, evaluations and their datasets per model
    version (absent uids left out)."""
    rows = db.read("graphql/version_neighbourhood", uids=list(uids))

    def nodes(values: list[dict[str, object]]) -> tuple[domain.Node, ...]:
        return tuple(sorted((to_domain(v) for v in values), key=lambda n: n.uid))

    return {
        row["uid"]: VersionNeighbourhood(
            model=to_domain(row["model"]),
            tasks=nodes(row["tasks"]),
            trained_on=nodes(row["trained_on"]),
            evaluations=nodes(row["evaluations"]),
            evaluated_on=nodes(row["evaluated_on"]),
            detectors={d["uid"]: nodes(d["detectors"]) for d in row["detectors"]},
        )
        for row in rows
    }


def version_deployments(db: Database, uids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Deployment facts per model version (graphcat.service.deploy.deployment's shape, batched):
    artifact_size_bytes, onnx_*, smoke_tests, benchmarks (with hardware), quantized_from,
    quantized_versions. Absent uids are left out."""
    return {row["uid"]: row for row in db.read("graphql/version_deployments", uids=list(uids))}


def links(db: Database, uids: Sequence[str], types: Sequence[str], *, outgoing: bool,
          keys: Sequence[str] | None = None) -> dict[str, list[tuple[str, dict[str, Any], domain.Node]]]:
    """uid -> [(relationship type, relationship properties, neighbour)] along `types`, one query;
    with `keys`, neighbours carry only those stored keys (catalog.partial_domain)."""
    return neighbours(db, uids, types, outgoing=outgoing, keys=keys)


def node_with_links(db: Database, uid: str, types: Sequence[str], *, outgoing: bool, keys: Sequence[str],
                    ) -> tuple[domain.Node, list[tuple[str, dict[str, Any], domain.Node]]] | None:
    """One node (whole) and its neighbours along `types`, those partial (the stored `keys` only),
    in one query; None when the uid is not in the catalog."""
    wanted = list(keys)
    rows = db.read("graphql/node_with_links", uid=uid, types=sorted(set(types)), outgoing=outgoing, keys=wanted)
    if not rows:
        return None
    return to_domain(rows[0]["props"]), [(t, rel, store.partial_domain(wanted, values)) for t, rel, values in rows[0]["links"]]
