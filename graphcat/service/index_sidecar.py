"""The vector index's sidecar file: a digest of each document's text under one fingerprint.

It lets a start-up after a few writes re-encode only what changed (graphcat.service.vector_index);
written atomically, and trusted only when it names the fingerprint of the index file it goes with.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def write_sidecar(path: Path, fp: str, digests: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_text(json.dumps({"fingerprint": fp, "digests": digests}))
    os.replace(tmp, path)


def read_sidecar(path: Path, fp: str) -> dict[str, str] | None:
    """The per-document digests saved with fingerprint `fp`, or None when they do not belong to it."""
    try:
        data: Any = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fp or not isinstance(data.get("digests"), dict):
        return None
    return {str(k): str(v) for k, v in data["digests"].items()}
