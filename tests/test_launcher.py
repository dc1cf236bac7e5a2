"""The local Neo4j launcher: a real second server, started, restarted and stopped here."""

from __future__ import annotations

import dataclasses
import os
import socket
from pathlib import Path

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError
from starlette.testclient import TestClient

from graphcat import neo4j_launcher, processes
from graphcat.api.app import create_app
from graphcat.errors import LauncherError
from graphcat.settings import Settings
from tests.conftest import free_port


def _throwaway(settings: Settings, tmp_path: Path) -> Settings:
    port = free_port()
    return dataclasses.replace(
        settings,
        neo4j_uri=f"bolt://127.0.0.1:{port}",
        neo4j_home=str(tmp_path / "neo4j"),
        neo4j_password="throwaway-secret",
        neo4j_heap="512m",
        neo4j_pagecache="64m",
        neo4j_connect_timeout=2.0,
    )


def test_data_survives_restart_and_health_follows_the_server(settings: Settings, tmp_path: Path) -> None:
    local = _throwaway(settings, tmp_path)
    app = create_app(local)
    with TestClient(app) as client:
        down = client.get("/healthz")
        assert down.status_code == 503
        assert "unavailable" in down.json()["reason"].lower()

        state = neo4j_launcher.start(local)
        try:
            assert state.running and state.pid
            assert neo4j_launcher.start(local).pid == state.pid  # a second start is a no-op
            up = client.get("/healthz")
            assert up.status_code == 200, up.text
            assert up.json()["neo4j"]["version"] == local.neo4j_version
            assert up.json()["schema_version"] >= 1

            with GraphDatabase.driver(local.neo4j_uri, auth=(local.neo4j_user, local.neo4j_password)) as driver:
                driver.execute_query("CREATE (:Probe {value: $v})", v=42)
                with pytest.raises(AuthError):
                    with GraphDatabase.driver(local.neo4j_uri, auth=("neo4j", "wrong-password")) as bad:
                        bad.verify_connectivity()

            neo4j_launcher.stop(local)
            assert not neo4j_launcher.status(local).running
            assert client.get("/healthz").status_code == 503

            neo4j_launcher.start(local)
            # the same app, never restarted, recovers by itself
            assert client.get("/healthz").status_code == 200
            with GraphDatabase.driver(local.neo4j_uri, auth=(local.neo4j_user, local.neo4j_password)) as driver:
                records, _, _ = driver.execute_query("MATCH (p:Probe) RETURN p.value AS v")
            assert [r["v"] for r in records] == [42]
        finally:
            neo4j_launcher.stop(local)
    assert not processes.port_open("127.0.0.1", local.neo4j_bolt_port)


def test_port_taken_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    local = _throwaway(settings, tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", local.neo4j_bolt_port))
        squatter.listen()
        with pytest.raises(LauncherError, match=f"port {local.neo4j_bolt_port}.*taken"):
            neo4j_launcher.start(local)


def test_missing_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LauncherError, match="Java 17"):
        neo4j_launcher.check_java()


def test_missing_maven_is_a_clear_error(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = dataclasses.replace(settings, neo4j_jar_cache=str(tmp_path / "empty-cache"))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(LauncherError, match="Maven"):
        neo4j_launcher.resolve_jars(local)


def test_java_on_this_machine_is_new_enough() -> None:
    assert processes.java_major_version(neo4j_launcher.check_java()) >= 17


def test_status_of_a_server_that_never_ran(settings: Settings, tmp_path: Path) -> None:
    local = _throwaway(settings, tmp_path)
    state = neo4j_launcher.status(local)
    assert not state.running and state.pid is None
    assert "not running" in state.detail
