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


def test_replicas_scale_behind_the_proxy() -> None:
    """`docker compose up -d --scale graphcat=N`: no replica binds a host port, the proxy does, and
    the proxy re-resolves the service name so every replica gets requests."""
    services = COMPOSE["services"]
    app, proxy = services["graphcat"], services["proxy"]
    assert "ports" not in app, "a published host port would collide as soon as graphcat is scaled"
    assert proxy["ports"] == ["127.0.0.1:8000:8080"]
    assert proxy["depends_on"]["graphcat"]["condition"] == "service_healthy"
    (mount,) = proxy["volumes"]
    source, target = mount.split(":")[:2]
    conf_path = ROOT / source
    assert conf_path.is_file() and target == "/etc/nginx/nginx.conf"
    conf = conf_path.read_text()
    assert "resolver 127.0.0.11" in conf, "Docker's DNS, asked again, finds replicas started later"
    port = app["environment"]["GRAPHCAT_PORT"]
    assert re.search(rf"set \$(\w+) http://graphcat:{port};\s+proxy_pass \$\1;", conf), "proxy_pass through a variable"
    body = re.search(r"client_max_body_size (\d+)m;", conf)
    from graphcat.settings import Settings

    assert body and int(body.group(1)) * 1024 * 1024 >= Settings().max_upload_bytes
    # per-replica state on its own anonymous volume, artifacts on one shared volume
    assert "/data" in app["volumes"] and "graphcat-artifacts:/artifacts" in app["volumes"]
    assert app["environment"]["GRAPHCAT_ARTIFACT_ROOT"].endswith(":-/artifacts}")


def test_proxy_configuration_passes_nginx_own_check(tmp_path: Path) -> None:
    import shutil
    import subprocess

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).is_file(), "nginx is missing: scripts/system-deps installs it"
    conf = ROOT / "deploy" / "compose" / "nginx.conf"
    (tmp_path / "logs").mkdir()
    done = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.conf"
    broken.write_text(conf.read_text().replace("proxy_pass $graphcat;", "proxy_pass $graphcat"))
    done = subprocess.run([nginx, "-t", "-q", "-c", str(broken), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
