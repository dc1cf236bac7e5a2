"""Per-request DataLoaders: every field that needs the store batches its keys into one query.

Created in the request's context on first use, so caching never outlives one request (a
mutation's result is never served stale to the next). With them a page of model versions with
datasets, detectors, tasks and evaluations costs three queries: the page, the versions'
neighbourhood, and the datasets' detectors.
"""

from __future__ import annotations

from typing import Sequence

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from graphcat import domain
from graphcat.service import catalog
from graphcat.store.database import Database
from graphcat.store.neighbourhood import VersionNeighbourhood, version_neighbourhoods

DETECTOR_EDGES = ["RECORDED_WITH", "SIMULATED_WITH"]


class Loaders:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.node: DataLoader[str, domain.Node | None] = DataLoader(load_fn=self._nodes)
        self.neighbourhood: DataLoader[str, VersionNeighbourhood | None] = DataLoader(load_fn=self._neighbourhoods)
        self.detectors: DataLoader[str, list[domain.Node]] = DataLoader(load_fn=self._detectors)
        self.versions: DataLoader[str, list[domain.Node]] = DataLoader(load_fn=self._versions)

    async def _nodes(self, uids: Sequence[str]) -> list[domain.Node | None]:
        found = await run_in_threadpool(catalog.get_many, self.db, list(uids))
        return [found.get(uid) for uid in uids]

    async def _neighbourhoods(self, uids: Sequence[str]) -> list[VersionNeighbourhood | None]:
        found = await run_in_threadpool(version_neighbourhoods, self.db, list(uids))
        # The dataset versions came along: Evaluation.dataset then finds them without a query.
        for hood in found.values():
            for node in (*hood.trained_on, *hood.evaluated_on):
                self.node.prime(node.uid, node)
        return [found.get(uid) for uid in uids]

    async def _detectors(self, uids: Sequence[str]) -> list[list[domain.Node]]:
        found = await run_in_threadpool(catalog.related, self.db, list(uids), DETECTOR_EDGES)
        return [found.get(uid, []) for uid in uids]

    async def _versions(self, uids: Sequence[str]) -> list[list[domain.Node]]:
        found = await run_in_threadpool(catalog.versions_of, self.db, list(uids))
        return [found.get(uid, []) for uid in uids]
