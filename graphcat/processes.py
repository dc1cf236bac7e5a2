"""Local server processes the launchers run (Neo4j, Keycloak): pid files, ports, start, stop.

A server runs in its own session (process group) with stdout and stderr appended to a log file; its
pid is kept in a pid file so that `status` and `stop` work from another process (the CLI, the tests).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graphcat.errors import LauncherError


@dataclass(frozen=True)
class Status:
    running: bool
    pid: int | None
    port: int
    home: Path
    detail: str


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


def reap(pid: int) -> None:
    """Collect the exit status when the server is our own child (tests start it in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


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


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def require_free(ports: Sequence[int], advice: str) -> None:
    """Refuse to start a server on a port another process already listens on."""
    for port in ports:
        if port_open("127.0.0.1", port):
            raise LauncherError(f"port {port} on 127.0.0.1 is taken by another process; stop it, or {advice}")


def java_major_version(java: str) -> int:
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
    if not match:
        raise LauncherError(f"could not read the Java version from `{java} -version`: {proc.stderr.strip()!r}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def read_pid(pidfile: Path) -> int | None:
    """The pid in `pidfile` when that process is alive, else None."""
    text = pidfile.read_text().strip() if pidfile.is_file() else ""
    if not text.isdigit():
        return None
    pid = int(text)
    return pid if pid_alive(pid) else None


def status(pidfile: Path, port: int, home: Path, running: Callable[[int], str]) -> Status:
    """The server's state; `running(pid)` describes a live one (e.g. whether it answers yet)."""
    pid = read_pid(pidfile)
    if pid is None:
        detail = "not running"
        if port_open("127.0.0.1", port):
            detail = f"not running (but another process listens on port {port})"
        return Status(False, None, port, home, detail)
    return Status(True, pid, port, home, running(pid))


def spawn(argv: Sequence[str], *, log: Path, pidfile: Path, env: Mapping[str, str], cwd: Path | None = None) -> int:
    """Start a server in its own session, output appended to `log`, its pid written to `pidfile`."""
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    pidfile.write_text(f"{proc.pid}\n")
    return proc.pid


def stop(pidfile: Path, timeout: float, group: bool = False) -> None:
    """Stop the server of `pidfile` (SIGTERM, SIGKILL after `timeout`) and remove the pid file."""
    pid = read_pid(pidfile)
    if pid is not None:
        terminate(pid, timeout, group=group)
    pidfile.unlink(missing_ok=True)


def wait_until(ready: Callable[[], bool], pid: int, timeout: float, *, name: str, what: Callable[[], str],
               log_tail: Callable[[], str]) -> None:
    """Poll `ready()` until it holds; fail with the log's tail when the process dies or time runs out
    (`what()` says what it did not do, e.g. "answer on bolt://... (last error)")."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            reap(pid)
            raise LauncherError(f"{name} exited during start-up:\n" + log_tail())
        if ready():
            return
        time.sleep(0.5)
    raise LauncherError(f"{name} did not {what()} within {timeout:.0f}s:\n" + log_tail())
