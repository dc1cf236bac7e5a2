"""Batch reads shaped for the GraphQL layer's DataLoaders: one query for many keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from graphcat import domain
from graphcat.store.catalog import to_domain
from graphcat.store.database import Database


@dataclass(frozen=True)
class VersionNeighbourhood:
    model: domain.Node
    tasks: tuple[domain.Node, ...]
    trained_on: tuple[domain.Node, ...]
    evaluations: tuple[domain.Node, ...]
    evaluated_on: tuple[domain.Node, ...]  # the dataset versions of those evaluations


def version_neighbourhoods(db: Database, uids: Sequence[str]) -> dict[str, VersionNeighbourhood]:
    """Model, tasks, training datasets, evaluations and their datasets per model version (absent uids left out)."""
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
        )
        for row in rows
    }
