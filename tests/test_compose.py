"""docker-compose.yml cannot run here (no Docker engine); check what `docker compose config` checks."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
ALLOWED_SERVICE_KEYS = {
    "image", "build", "restart", "environment", "ports", "volumes", "healthcheck", "depends_on", "command",
}


def test_services_use_only_known_keys_and_declared_volumes() -> None:
    assert set(COMPOSE) <= {"name", "services", "volumes"}
    declared = set(COMPOSE["volumes"])
    for name, service in COMPOSE["services"].items():
        assert set(service) <= ALLOWED_SERVICE_KEYS, (name, set(service) - ALLOWED_SERVICE_KEYS)
        assert "image" in service or "build" in service
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith((".", "/")) or source in declared, f"{name}: undeclared volume {source}"
        for port in service.get("ports", []):
            assert re.fullmatch(r"(127\.0\.0\.1:)?\d+:\d+", port), port


def test_neo4j_is_5_26_community_with_auth_and_healthcheck() -> None:
    neo = COMPOSE["services"]["neo4j"]
    assert neo["image"].startswith("neo4j:5.26") and "enterprise" not in neo["image"]
    assert "GRAPHCAT_NEO4J_PASSWORD" in neo["environment"]["NEO4J_AUTH"]
    check = neo["healthcheck"]
    assert "cypher-shell" in " ".join(check["test"]) and "RETURN 1" in " ".join(check["test"])
    assert any(v.endswith(":/data") for v in neo["volumes"])


def test_graphcat_waits_for_healthy_neo4j_and_uses_the_settings() -> None:
    app = COMPOSE["services"]["graphcat"]
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    env = app["environment"]
    assert env["GRAPHCAT_NEO4J_URI"] == "bolt://neo4j:7687"
    for key in ("GRAPHCAT_NEO4J_USER", "GRAPHCAT_NEO4J_PASSWORD", "GRAPHCAT_NEO4J_DATABASE"):
        assert key in env
    assert (ROOT / "Dockerfile").is_file()
