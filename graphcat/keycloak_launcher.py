"""A real Keycloak (OpenID Connect provider) for development and the tests.

`graphcat keycloak start` fetches org.keycloak:keycloak-quarkus-dist from Maven Central once into
GRAPHCAT_KEYCLOAK_CACHE (through graphcat.maven_fetch, like the Neo4j launcher), unpacks it into
GRAPHCAT_KEYCLOAK_HOME, and runs `kc.sh start-dev` on 127.0.0.1:GRAPHCAT_KEYCLOAK_PORT with the realm of
graphcat/identity/realm/ imported into its H2 file database (kept across restarts, dropped when
the realm file changes)
(users alice, bob, carol, dave; clients graphcat, graphcat-tests, other-service; docs/security.md).
Keycloak runs on GRAPHCAT_KEYCLOAK_JAVA_HOME (Java 21+) alone. It returns when the realm's
discovery document answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from graphcat.errors import LauncherError
from graphcat.maven_fetch import fetch_once, locked
from graphcat import processes
from graphcat.processes import Status, java_major_version
from graphcat.settings import Settings

REALM_FILE = Path(__file__).resolve().parent / "identity" / "realm" / "graphcat-realm.json"
REALM = "graphcat"
MIN_JAVA = 21


def issuer(settings: Settings) -> str:
    """The issuer of the local realm's tokens (what GRAPHCAT_OIDC_ISSUER names)."""
    return f"{settings.keycloak_url}/realms/{REALM}"


def _home(settings: Settings) -> Path:
    return Path(settings.keycloak_home).resolve()


def _pidfile(settings: Settings) -> Path:
    return _home(settings) / "keycloak.pid"


def java_home(settings: Settings) -> Path:
    home = Path(settings.keycloak_java_home)
    java = home / "bin" / "java"
    if not java.is_file():
        raise LauncherError(
            f"Keycloak needs Java {MIN_JAVA}+ and GRAPHCAT_KEYCLOAK_JAVA_HOME={home} has no bin/java; "
            "point it at a JDK 21+ (e.g. the Temurin 25 JDK under /usr/lib/jvm)."
        )
    major = java_major_version(str(java))
    if major < MIN_JAVA:
        raise LauncherError(f"Keycloak needs Java {MIN_JAVA}+, but {java} is Java {major} (GRAPHCAT_KEYCLOAK_JAVA_HOME).")
    return home


def resolve_zip(settings: Settings) -> Path:
    """The distribution zip, downloaded from Maven Central on first use."""
    version = settings.keycloak_version
    cache = Path(settings.keycloak_cache).resolve() / version
    zip_path = cache / f"keycloak-quarkus-dist-{version}.zip"
    fetch_once(
        cache, f"org.keycloak:keycloak-quarkus-dist:{version}:zip",
        ["dependency:copy", f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{version}:zip",
         f"-DoutputDirectory={cache}", "-Dmdep.overWriteIfNewer=true"],
        fetched=lambda: zip_path.is_file() and zipfile.is_zipfile(zip_path),
    )
    return zip_path


def _distribution(settings: Settings) -> Path:
    """The unpacked distribution under the home folder (unpacked once per version)."""
    version = settings.keycloak_version
    target = _home(settings) / f"keycloak-{version}"
    done = target / ".unpacked"
    if done.is_file():
        return target
    zip_path = resolve_zip(settings)
    with locked(_home(settings) / ".unpack.lock"):
        if done.is_file():
            return target
        staging = _home(settings) / f".unpack-{version}"
        shutil.rmtree(staging, ignore_errors=True)
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(staging)
        (top,) = [p for p in staging.iterdir() if p.is_dir()]
        shutil.rmtree(target, ignore_errors=True)
        top.rename(target)
        shutil.rmtree(staging, ignore_errors=True)
        (target / "bin" / "kc.sh").chmod(0o755)
        done.write_text(version + "\n")
    return target


def _prepare_data(dist: Path) -> str:
    """Put the realm file up for import. Keycloak's database (H2, dev-file) is kept across restarts,
    which saves its schema set-up and the import (most of a start); it is dropped when the realm file
    changed, since --import-realm never overwrites a realm that exists."""
    data = dist / "data"
    digest = hashlib.sha256(REALM_FILE.read_bytes()).hexdigest()
    stamp = data / "realm.sha256"
    if not stamp.is_file() or stamp.read_text().strip() != digest:
        shutil.rmtree(data / "h2", ignore_errors=True)
    imports = data / "import"
    shutil.rmtree(imports, ignore_errors=True)
    imports.mkdir(parents=True)
    shutil.copy(REALM_FILE, imports / REALM_FILE.name)
    stamp.unlink(missing_ok=True)  # written back once this start has imported the realm
    return digest


def status(settings: Settings) -> Status:
    def running(pid: int) -> str:
        answering = _discovery(settings) is not None
        return f"running, pid {pid}, realm {issuer(settings)}" + ("" if answering else " (not answering yet)")

    return processes.status(_pidfile(settings), settings.keycloak_port, _home(settings), running)


def _discovery(settings: Settings) -> dict | None:
    url = issuer(settings) + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _log(settings: Settings) -> Path:
    return _home(settings) / "keycloak.log"


def _log_tail(settings: Settings, lines: int = 25) -> str:
    path = _log(settings)
    if not path.is_file():
        return "(no log)"
    return f"--- {path} ---\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait(settings: Settings, pid: int) -> None:
    processes.wait_until(lambda: _discovery(settings) is not None, pid, settings.keycloak_start_timeout,
                         name="Keycloak", what=lambda: f"serve {issuer(settings)}", log_tail=lambda: _log_tail(settings))


def start(settings: Settings) -> Status:
    """Start the local Keycloak (a no-op when it already runs); return once its realm answers."""
    current = status(settings)
    if current.running:
        _wait(settings, current.pid or 0)
        return status(settings)
    processes.require_free([settings.keycloak_port, settings.keycloak_port + 1],
                           "choose another GRAPHCAT_KEYCLOAK_PORT (Keycloak uses it and the next one)")
    jdk = java_home(settings)
    dist = _distribution(settings)
    digest = _prepare_data(dist)
    env = dict(os.environ, JAVA_HOME=str(jdk), KC_BOOTSTRAP_ADMIN_USERNAME="admin",
               KC_BOOTSTRAP_ADMIN_PASSWORD="admin", JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m")
    env.pop("JAVA_OPTS", None)
    pid = processes.spawn(
        [str(dist / "bin" / "kc.sh"), "start-dev", "--import-realm", "--db=dev-file",
         "--http-host=127.0.0.1", f"--http-port={settings.keycloak_port}",
         f"--http-management-port={settings.keycloak_port + 1}", "--hostname-strict=false"],
        log=_log(settings), pidfile=_pidfile(settings), env=env, cwd=dist,
    )
    try:
        _wait(settings, pid)
    except LauncherError:
        stop(settings)
        shutil.rmtree(dist / "data" / "h2", ignore_errors=True)  # maybe half-imported: start afresh next time
        raise
    (dist / "data" / "realm.sha256").write_text(digest + "\n")
    return status(settings)


def stop(settings: Settings, timeout: float = 60.0) -> Status:
    processes.stop(_pidfile(settings), timeout, group=True)  # kc.sh and its java share the session's group
    return status(settings)
