"""The @neo4j/graphql peer of bench/peers_graphql.py answers like graphcat on the same Neo4j.

A small synthetic catalog (bench/synthetic.py, 300 model versions) is bulk-imported into the test
Neo4j; the peer (bench/peers/neo4j_graphql/server.mjs, node) serves it over HTTP and graphcat's
GraphQL route answers in process. Questions 2 (model versions of a task and an experiment) and 3
(a dataset version's direct consumers) must give the same ids on both sides: the benchmark's
answer-equality column relies on the two query sets asking the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from bench.graphql_page import _app
from bench.lineage import version_uids
from bench.peers.servers import NPM_CI, PEER_DIR, Peer
from bench.peers_graphql import arguments, graphcat_side, peer_side
from bench.synthetic import EXPERIMENTS, TASKS, catalog_files, generate
from graphcat.catalog.bulk import bulk_import
from graphcat.settings import Settings
from graphcat.store.database import Database

VERSIONS = 300


@pytest.fixture()
def catalog(db: Database, tmp_path: Path) -> Path:
    folder = tmp_path / "synthetic"
    generate(VERSIONS, folder, seed=3)
    bulk_import(db, catalog_files(folder), progress=False)
    return folder


@pytest.fixture()
def peer(neo4j_server: Settings) -> Iterator[httpx.Client]:
    assert (PEER_DIR / "node_modules" / "@neo4j" / "graphql").is_dir(), \
        f"the @neo4j/graphql peer is not installed: run `{NPM_CI}` (make install does)"
    server = Peer(neo4j_server)
    server.start()
    try:
        server.wait()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        server.stop()


def test_peer_and_graphcat_answer_filtered_listings_and_consumers_alike(
        catalog: Path, peer: httpx.Client, neo4j_server: Settings) -> None:
    from bench.synthetic import read_manifest

    models, datasets = version_uids(catalog, read_manifest(catalog))
    with TestClient(_app(neo4j_server)) as client:
        g, p = graphcat_side(client), peer_side(peer)
        nonempty = 0
        for task, _, _ in TASKS:  # every task, parents (subtasks included) and leaves alike
            for experiment, _ in EXPERIMENTS:
                variables = {"task": f"task:{task}", "experiment": f"experiment:{experiment}"}
                _, ours, _ = g.ask("filtered", variables)
                _, theirs, _ = p.ask("filtered", variables)
                assert ours == theirs, variables
                nonempty += bool(ours[1])
        assert nonempty >= 10  # the comparison saw real answers, not only empty ones

        consumers = 0
        for uid in datasets:  # catalog uids, dataset_version:<id>@<version>
            _, ours, _ = g.ask("consumers", {"id": uid})
            _, theirs, _ = p.ask("consumers", {"id": uid})
            assert ours == theirs, uid
            consumers += len(ours)
        assert consumers >= VERSIONS  # every model version is trained on at least one dataset version

        # The benchmark's own draws of the two questions agree too.
        draws = arguments(catalog)
        for i in range(20):
            for question in ("filtered", "consumers"):
                assert g.ask(question, draws[question](i))[1] == p.ask(question, draws[question](i))[1]
    assert len(models) == VERSIONS
