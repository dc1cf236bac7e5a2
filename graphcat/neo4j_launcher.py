"""A real Neo4j Community server for machines without Docker.

`graphcat neo4j start` resolves org.neo4j:neo4j (Community) from Maven Central once, caches the
jars in a git-ignored folder, and runs `org.neo4j.server.CommunityEntryPoint` on 127.0.0.1 with
its data kept under GRAPHCAT_NEO4J_HOME across restarts, auth enabled with the configured
password. It returns when Bolt answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from graphcat import processes
from graphcat.errors import LauncherError
from graphcat.maven_fetch import fetch_once
from graphcat.processes import Status, java_major_version, port_open
from graphcat.settings import Settings

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>graphcat</groupId>
  <artifactId>neo4j-server-jars</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

MIN_JAVA = 17


def _home(settings: Settings) -> Path:
    return Path(settings.neo4j_home).resolve()


def _pidfile(settings: Settings) -> Path:
    return _home(settings) / "run" / "neo4j.pid"


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise LauncherError(
            f"Java {MIN_JAVA}+ is required to run Neo4j locally and none was found "
            "(no JAVA_HOME, no `java` on PATH). Install a JDK 17 or point GRAPHCAT_NEO4J_URI at an existing Neo4j."
        )
    return found


def check_java() -> str:
    java = java_executable()
    major = java_major_version(java)
    if major < MIN_JAVA:
        raise LauncherError(f"Neo4j 5.26 needs Java {MIN_JAVA}+, but {java} is Java {major}. Set JAVA_HOME to a JDK 17+.")
    return java


def resolve_jars(settings: Settings) -> Path:
    """The folder of Neo4j server jars, downloaded from Maven Central on first use."""
    cache = Path(settings.neo4j_jar_cache).resolve() / settings.neo4j_version
    lib = cache / "lib"

    def prepare() -> None:
        (cache / "pom.xml").write_text(_POM.format(version=settings.neo4j_version))
        if lib.exists():
            shutil.rmtree(lib)

    fetch_once(
        cache, f"org.neo4j:neo4j:{settings.neo4j_version}",
        ["-f", str(cache / "pom.xml"), "dependency:copy-dependencies", f"-DoutputDirectory={lib}"],
        fetched=lambda: any(lib.glob(f"neo4j-{settings.neo4j_version}.jar")), prepare=prepare,
    )
    return lib


def _write_config(settings: Settings, home: Path) -> Path:
    conf = home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    for sub in ("data", "logs", "run", "plugins", "import"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(
        "\n".join([
            "# Written by `graphcat neo4j start` from GRAPHCAT_* settings; edits are overwritten.",
            "server.default_listen_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{settings.neo4j_bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{settings.neo4j_bolt_port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            f"server.directories.data={home / 'data'}",
            f"server.directories.logs={home / 'logs'}",
            f"server.directories.run={home / 'run'}",
            f"server.directories.plugins={home / 'plugins'}",
            f"server.directories.import={home / 'import'}",
            f"server.memory.heap.initial_size={settings.neo4j_heap}",
            f"server.memory.heap.max_size={settings.neo4j_heap}",
            f"server.memory.pagecache.size={settings.neo4j_pagecache}",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            "",
        ])
    )
    return conf


def status(settings: Settings) -> Status:
    port = settings.neo4j_bolt_port

    def running(pid: int) -> str:
        answering = port_open("127.0.0.1", port)
        return f"running, pid {pid}, Bolt on 127.0.0.1:{port}" + ("" if answering else " (not answering yet)")

    return processes.status(_pidfile(settings), port, _home(settings), running)


def _wait_for_bolt(settings: Settings, proc_pid: int) -> None:
    # Imported here so `graphcat neo4j status` works without the driver being importable.
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

    uri = f"bolt://127.0.0.1:{settings.neo4j_bolt_port}"
    last = "no answer yet"

    def answers() -> bool:
        nonlocal last
        if not port_open("127.0.0.1", settings.neo4j_bolt_port):
            return False
        try:
            with GraphDatabase.driver(uri, auth=(settings.neo4j_user, settings.neo4j_password)) as driver:
                driver.verify_connectivity()
                driver.execute_query("RETURN 1", database_=settings.neo4j_database)
            return True
        except AuthError as exc:
            raise LauncherError(
                f"Neo4j at {uri} rejected user {settings.neo4j_user!r}: its data folder "
                f"{_home(settings) / 'data'} was initialised with another password ({exc.message}). "
                "Use that password, or stop Neo4j and delete the folder to start afresh."
            ) from exc
        except (ServiceUnavailable, SessionExpired, Neo4jError, OSError) as exc:
            last = str(exc)
            return False

    processes.wait_until(answers, proc_pid, settings.neo4j_start_timeout, name="Neo4j",
                         what=lambda: f"answer on {uri} ({last})", log_tail=lambda: _log_tail(settings))


def _log_tail(settings: Settings, lines: int = 20) -> str:
    home = _home(settings)
    out = []
    for name in ("console.log", "neo4j.log"):
        path = home / "logs" / name
        if path.is_file():
            out.append(f"--- {path} ---")
            out.extend(path.read_text(errors="replace").splitlines()[-lines:])
    return "\n".join(out)


def start(settings: Settings) -> Status:
    """Start the local server (a no-op when it already runs) and return once Bolt answers."""
    current = status(settings)
    if current.running:
        _wait_for_bolt(settings, current.pid or 0)
        return status(settings)
    processes.require_free([settings.neo4j_bolt_port], "choose another port in GRAPHCAT_NEO4J_URI (e.g. bolt://127.0.0.1:7688)")
    java = check_java()
    lib = resolve_jars(settings)
    home = _home(settings)
    conf = _write_config(settings, home)
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(conf))
    classpath = f"{lib}/*"
    if not (home / "data" / "dbms" / "auth.ini").is_file() and not (home / "data" / "databases").exists():
        proc = subprocess.run(
            [java, "-cp", classpath, "org.neo4j.cli.AdminTool", "dbms", "set-initial-password",
             settings.neo4j_password],
            env=env, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            raise LauncherError(f"could not set the initial Neo4j password: {proc.stderr.strip() or proc.stdout.strip()}")
    pid = processes.spawn(
        [java, f"-Xmx{settings.neo4j_heap}", "-XX:+UseG1GC", "-Dfile.encoding=UTF-8",
         "-cp", classpath, "org.neo4j.server.CommunityEntryPoint",
         f"--home-dir={home}", f"--config-dir={conf}"],
        log=home / "logs" / "console.log", pidfile=_pidfile(settings), env=env,
    )
    try:
        _wait_for_bolt(settings, pid)
    except LauncherError:
        stop(settings)
        raise
    return status(settings)


def stop(settings: Settings, timeout: float = 60.0) -> Status:
    processes.stop(_pidfile(settings), timeout)
    return status(settings)
