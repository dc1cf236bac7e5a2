"""Fetch something from Maven Central once into a git-ignored cache folder, with `mvn`.

Shared by the local launchers (graphcat.neo4j_launcher: Neo4j's jars; graphcat.keycloak_launcher:
Keycloak's distribution zip). A folder is complete when its `.complete` stamp exists; the fetch
runs under a file lock, so two processes starting at once download once.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from graphcat.errors import LauncherError


@contextmanager
def locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def fetch_once(cache: Path, what: str, mvn_args: list[str], fetched: Callable[[], bool],
               prepare: Callable[[], None] | None = None) -> Path:
    """Run `mvn -q -B <mvn_args>` once for `cache`; `fetched()` tells whether it produced what
    was wanted. Returns `cache`. `what` names the artifact in errors (e.g. org.neo4j:neo4j:5.26.30)."""
    done = cache / ".complete"
    if done.is_file():
        return cache
    with locked(cache / ".lock"):
        if done.is_file():
            return cache
        mvn = shutil.which("mvn")
        if not mvn:
            raise LauncherError(
                f"Maven (`mvn`) is required once, to fetch {what} from Maven Central into {cache}; it is not on PATH."
            )
        if prepare is not None:
            prepare()
        proc = subprocess.run([mvn, "-q", "-B", *mvn_args], capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not fetched():
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            raise LauncherError(f"Maven could not resolve {what}:\n" + "\n".join(tail))
        done.write_text(what + "\n")
    return cache
