"""Shared fixtures: a real Neo4j server for the whole session, cleared between tests.

The server is the local launcher's (started here unless it already runs) when
GRAPHCAT_NEO4J_URI points at this machine, or whatever external Neo4j that URI names. Nothing
here skips: when Neo4j cannot be reached the tests error out, in CI and everywhere else.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Iterator

import pytest

from graphcat import neo4j_launcher
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.admin import clear_catalog
from graphcat.store.database import Database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings.from_env(env_file=ROOT / ".env")


@pytest.fixture(scope="session")
def neo4j_server(settings: Settings) -> Iterator[Settings]:
    started_here = False
    if settings.neo4j_is_local and not neo4j_launcher.status(settings).running:
        neo4j_launcher.start(settings)
        started_here = True
    yield settings
    if started_here:
        neo4j_launcher.stop(settings)


@pytest.fixture(scope="session")
def session_db(neo4j_server: Settings) -> Iterator[Database]:
    db = Database(neo4j_server)
    db.driver.verify_connectivity()
    migrations.apply(db)
    yield db
    db.close()


@pytest.fixture()
def db(session_db: Database) -> Database:
    """The session's database with an empty catalog."""
    clear_catalog(session_db)
    return session_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
