"""The graphql-http server audit (GraphQL-over-HTTP spec) against graphcat served by uvicorn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Iterator

import httpx
import pytest

from graphcat.settings import Settings
from tests.conftest import ROOT, free_port

JS = ROOT / "tests" / "js"


@pytest.fixture()
def served(neo4j_server: Settings) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "GRAPHCAT_NEO4J_URI": neo4j_server.neo4j_uri}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "graphcat.api.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"uvicorn did not come up: {proc.communicate()[0] if proc.poll() is not None else 'timeout'}")
            time.sleep(0.2)
        yield f"{base}/graphql"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_graphql_http_audit_has_no_errors_or_warnings(served: str) -> None:
    assert (JS / "node_modules" / "graphql-http").is_dir(), "run `npm ci --prefix tests/js` (make install does)"
    run = subprocess.run(["node", str(JS / "audit.mjs"), served], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    failing = [r for r in report["results"] if r["status"] != "ok"]
    print(json.dumps({k: report[k] for k in ("total", "ok", "notices", "warnings", "errors")}))
    for r in failing:
        print(r["status"], r["id"], r["name"], r["reason"])
    assert report["total"] > 50
    assert report["errors"] == 0 and report["warnings"] == 0, failing
