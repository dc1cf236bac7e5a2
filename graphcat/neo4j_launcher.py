"""A real Neo4j Community server for machines without Docker.

`graphcat neo4j start` resolves org.neo4j:neo4j (Community) from Maven Central once, caches the
jars in a git-ignored folder, and runs `org.neo4j.server.CommunityEntryPoint` on 127.0.0.1 with
its data kept under GRAPHCAT_NEO4J_HOME across restarts, auth enabled with the configured
password. It returns when Bolt answers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graphcat.errors import LauncherError
from graphcat.maven_fetch import fetch_once
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


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    bolt_port: int
    home: Path
    detail: str


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


def java_major_version(java: str) -> int:
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        raise LauncherError(f"could not read the Java version from `{java} -version`: {proc.stderr.strip()!r}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


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


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0); look at its state
    stat = Path(f"/proc/{pid}/stat")
    if stat.is_file():
        return stat.read_text().split(") ", 1)[-1].split(" ", 1)[0] != "Z"
    return True


def _read_pid(settings: Settings) -> int | None:
    pidfile = _pidfile(settings)
    if not pidfile.is_file():
        return None
    text = pidfile.read_text().strip()
    if not text.isdigit():
        return None
    pid = int(text)
    return pid if pid_alive(pid) else None


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def status(settings: Settings) -> Status:
    pid = _read_pid(settings)
    port = settings.neo4j_bolt_port
    if pid is None:
        detail = "not running"
        if port_open("127.0.0.1", port):
            detail = f"not running (but another process listens on port {port})"
        return Status(False, None, port, _home(settings), detail)
    answering = port_open("127.0.0.1", port)
    detail = f"running, pid {pid}, Bolt on 127.0.0.1:{port}" + ("" if answering else " (not answering yet)")
    return Status(True, pid, port, _home(settings), detail)


def _wait_for_bolt(settings: Settings, proc_pid: int) -> None:
    # Imported here so `graphcat neo4j status` works without the driver being importable.
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

    deadline = time.monotonic() + settings.neo4j_start_timeout
    uri = f"bolt://127.0.0.1:{settings.neo4j_bolt_port}"
    last = "no answer yet"
    while time.monotonic() < deadline:
        if not pid_alive(proc_pid):
            raise LauncherError("Neo4j exited during start-up:\n" + _log_tail(settings))
        if port_open("127.0.0.1", settings.neo4j_bolt_port):
            try:
                with GraphDatabase.driver(uri, auth=(settings.neo4j_user, settings.neo4j_password)) as driver:
                    driver.verify_connectivity()
                    driver.execute_query("RETURN 1", database_=settings.neo4j_database)
                return
            except AuthError as exc:
                raise LauncherError(
                    f"Neo4j at {uri} rejected user {settings.neo4j_user!r}: its data folder "
                    f"{_home(settings) / 'data'} was initialised with another password ({exc.message}). "
                    "Use that password, or stop Neo4j and delete the folder to start afresh."
                ) from exc
            except (ServiceUnavailable, SessionExpired, Neo4jError, OSError) as exc:
                last = str(exc)
        time.sleep(0.5)
    raise LauncherError(
        f"Neo4j did not answer on {uri} within {settings.neo4j_start_timeout:.0f}s ({last}):\n" + _log_tail(settings)
    )


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
    if port_open("127.0.0.1", settings.neo4j_bolt_port):
        raise LauncherError(
            f"port {settings.neo4j_bolt_port} on 127.0.0.1 is taken by another process; stop it, or "
            "choose another port in GRAPHCAT_NEO4J_URI (e.g. bolt://127.0.0.1:7688)"
        )
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
    console = open(home / "logs" / "console.log", "ab")
    proc = subprocess.Popen(
        [java, f"-Xmx{settings.neo4j_heap}", "-XX:+UseG1GC", "-Dfile.encoding=UTF-8",
         "-cp", classpath, "org.neo4j.server.CommunityEntryPoint",
         f"--home-dir={home}", f"--config-dir={conf}"],
        env=env, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    console.close()
    _pidfile(settings).write_text(f"{proc.pid}\n")
    try:
        _wait_for_bolt(settings, proc.pid)
    except LauncherError:
        stop(settings)
        raise
    return status(settings)


def stop(settings: Settings, timeout: float = 60.0) -> Status:
    pid = _read_pid(settings)
    if pid is not None:
        terminate(pid, timeout)
    _pidfile(settings).unlink(missing_ok=True)
    return status(settings)


def terminate(pid: int, timeout: float, group: bool = False) -> None:
    """SIGTERM `pid` (its whole process group when `group`), SIGKILL after `timeout` seconds."""
    kill = (lambda sig: os.killpg(pid, sig)) if group else (lambda sig: os.kill(pid, sig))
    try:
        kill(signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        reap(pid)
        time.sleep(0.2)
    if pid_alive(pid):
        kill(signal.SIGKILL)
        while pid_alive(pid):
            reap(pid)
            time.sleep(0.1)


def reap(pid: int) -> None:
    """Collect the exit status when the server is our own child (tests start it in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
