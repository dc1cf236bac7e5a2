"""Per-request DataLoaders: every field that needs the store batches its keys into one query.

Created in the request's context on first use, so caching never outlives one request (a
mutation's result is never served stale to the next). With them a page of model versions with
datasets, detectors, tasks and evaluations costs two queries: the page and the versions'
neighbourhood (the training datasets' detectors included), plus the total when it is asked for. Every other nested field (features, owners,
publications, derived-from, deployment facts...) goes through `links` or `deployment`, one
query per relationship set for the whole page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from graphcat import domain
from graphcat.service import catalog
from graphcat.store.database import Database
from graphcat.store.neighbourhood import (VersionNeighbourhood, links, node_with_links, version_deployments,
                                         version_neighbourhoods)

DETECTOR_EDGES = ["RECORDED_WITH", "SIMULATED_WITH"]

# A `links` key: (uid, "out" or "in", relationship types joined by ",", the stored keys wanted
# joined by "," or "" for whole nodes). Keys sharing all but the uid are fetched together.
LinkKey = tuple[str, str, str, str]
Link = tuple[str, dict[str, Any], domain.Node]  # (relationship type, its properties, neighbour)


def link_key(uid: str, types: Sequence[str], *, outgoing: bool = True, keys: Sequence[str] | None = None) -> LinkKey:
    """`keys`: fetch only these stored keys of each neighbour (graphcat/api/types/selection.py);
    the neighbours are then partial and never primed into the `node` loader."""
    return (uid, "out" if outgoing else "in", ",".join(sorted(types)), ",".join(sorted(keys)) if keys else "")


class Loaders:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.node: DataLoader[str, domain.Node | None] = DataLoader(load_fn=self._nodes)
        self.neighbourhood: DataLoader[str, VersionNeighbourhood | None] = DataLoader(load_fn=self._neighbourhoods)
        self.detectors: DataLoader[str, list[domain.Node]] = DataLoader(load_fn=self._detectors)
        self.versions: DataLoader[str, list[domain.Node]] = DataLoader(load_fn=self._versions)
        self.links: DataLoader[LinkKey, list[Link]] = DataLoader(load_fn=self._links)
        self.deployment: DataLoader[str, dict[str, Any] | None] = DataLoader(load_fn=self._deployments)

    async def node_and_links(self, key: LinkKey) -> domain.Node | None:
        """The node of `key` (whole) and its links of `key` (partial neighbours: `key` names the
        stored keys) in one query, both primed; a node read already goes the ordinary way."""
        uid, direction, types, stored = key
        if not stored or self.node.cache_map.get(uid) is not None:
            return await self.node.load(uid)
        found = await run_in_threadpool(node_with_links, self.db, uid, types.split(","), outgoing=direction == "out",
                                        keys=stored.split(","))
        if found is None:
            self.node.prime(uid, None)
            return None
        node, rows = found
        self.node.prime(uid, node)
        self.links.prime(key, rows)
        return node

    async def _nodes(self, uids: Sequence[str]) -> list[domain.Node | None]:
        found = await run_in_threadpool(catalog.get_many, self.db, list(uids))
        return [found.get(uid) for uid in uids]

    async def _neighbourhoods(self, uids: Sequence[str]) -> list[VersionNeighbourhood | None]:
        found = await run_in_threadpool(version_neighbourhoods, self.db, list(uids))
        # The dataset versions came along, and the training ones' detectors: Evaluation.dataset and
        # DatasetVersion.detectors then find them without a query.
        for hood in found.values():
            for node in (*hood.trained_on, *hood.evaluated_on):
                self.node.prime(node.uid, node)
            for uid, detectors in hood.detectors.items():
                self.detectors.prime(uid, list(detectors))
        return [found.get(uid) for uid in uids]

    async def _detectors(self, uids: Sequence[str]) -> list[list[domain.Node]]:
        found = await run_in_threadpool(catalog.related, self.db, list(uids), DETECTOR_EDGES)
        return [found.get(uid, []) for uid in uids]

    async def _versions(self, uids: Sequence[str]) -> list[list[domain.Node]]:
        found = await run_in_threadpool(catalog.versions_of, self.db, list(uids))
        return [found.get(uid, []) for uid in uids]

    async def _links(self, keys: Sequence[LinkKey]) -> list[list[Link]]:
        groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for uid, direction, types, stored in keys:
            groups[(direction, types, stored)].append(uid)
        found: dict[LinkKey, list[Link]] = {}
        for (direction, types, stored), uids in groups.items():
            rows = await run_in_threadpool(links, self.db, uids, types.split(","), outgoing=direction == "out",
                                           keys=stored.split(",") if stored else None)
            for uid in uids:
                found[(uid, direction, types, stored)] = rows.get(uid, [])
        return [found[key] for key in keys]

    async def _deployments(self, uids: Sequence[str]) -> list[dict[str, Any] | None]:
        found = await run_in_threadpool(version_deployments, self.db, list(uids))
        return [found.get(uid) for uid in uids]
