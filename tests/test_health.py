from __future__ import annotations

from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.settings import Settings


def test_healthz_reports_the_neo4j_version(neo4j_server: Settings) -> None:
    with TestClient(create_app(neo4j_server)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["neo4j"]["version"].startswith("5.26")
    assert body["neo4j"]["edition"] == "community"
