"""The page's static assets: served by the app, self-contained (no CDN), vendored libraries equal
to the pinned npm packages (`npm ci --prefix graphcat/web`, done by `make install`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from starlette.testclient import TestClient

from graphcat.api.app import create_app
from graphcat.settings import Settings

WEB = Path(__file__).resolve().parents[1] / "graphcat" / "web"
STATIC = WEB / "static"
# Module specifiers of import/export statements (at a line start: a label such as 'Derived from'
# inside the code is not an import).
IMPORT = re.compile(r"""^\s*(?:import\s+|export\s+[{*])(?:[\w{}\s,*]+?\s*from\s*)?['"]([^'"]+)['"]""", re.MULTILINE)


def test_vendored_files_equal_the_pinned_npm_packages() -> None:
    files = json.loads((WEB / "vendor.json").read_text())["files"]
    assert files, "vendor.json lists no file"
    for target, source in files.items():
        installed = WEB / source
        assert installed.is_file(), f"{installed} missing: run `npm ci --prefix graphcat/web` (make install does)"
        vendored = STATIC / "vendor" / target
        assert vendored.read_bytes() == installed.read_bytes(), (
            f"static/vendor/{target} differs from {source}: run `npm run vendor --prefix graphcat/web`"
        )


def test_npm_dependencies_are_pinned_in_the_lockfile() -> None:
    package = json.loads((WEB / "package.json").read_text())
    lock = json.loads((WEB / "package-lock.json").read_text())
    for name, version in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly, not {version!r}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_every_module_import_resolves_to_a_local_file() -> None:
    scripts = list((STATIC / "js").glob("*.js"))
    assert scripts
    for script in scripts:
        for spec in IMPORT.findall(script.read_text()):
            assert spec.startswith("."), f"{script.name} imports {spec!r}: the page loads only local files"
            assert (script.parent / spec).resolve().is_file(), f"{script.name}: {spec} does not exist"


def test_page_and_assets_are_served_without_any_remote_url(neo4j_server: Settings) -> None:
    with TestClient(create_app(neo4j_server)) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert 'type="module" src="/static/js/main.js"' in page.text
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert client.get(asset).status_code == 200, asset
        lib = client.get("/static/vendor/cytoscape.esm.min.js")
        assert lib.status_code == 200
        assert "javascript" in lib.headers["content-type"]
        assert client.get("/static/js/../../__init__.py").status_code == 404
    for path in [STATIC / "index.html", STATIC / "app.css", *(STATIC / "js").glob("*.js")]:
        assert not re.search(r"https?://(?!127\.0\.0\.1)[\w.-]+/[\w/.-]*\.(?:js|css|mjs)", path.read_text()), path
