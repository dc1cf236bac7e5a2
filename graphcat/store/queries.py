"""Named Cypher queries: one per file under cypher/, named by path without the extension.

`queries.get("health/server_components")` returns the text of cypher/health/server_components.cypher.
Queries are always run with parameters; nothing here formats values into query text.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from graphcat.errors import GraphcatError


def query_root() -> Traversable:
    """The cypher/ folder: the repository's in a checkout, graphcat.cypher in an installed wheel."""
    checkout = Path(__file__).resolve().parents[2] / "cypher"
    if checkout.is_dir():
        return checkout
    return resources.files("graphcat.cypher")


def _walk(folder: Traversable, prefix: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name.startswith("__"):
                continue
            found.update(_walk(entry, f"{prefix}{entry.name}/"))
        elif entry.name.endswith(".cypher"):
            found[prefix + entry.name[: -len(".cypher")]] = entry.read_text(encoding="utf-8")
    return found


@lru_cache(maxsize=1)
def all_queries() -> dict[str, str]:
    return dict(sorted(_walk(query_root()).items()))


def get(name: str) -> str:
    try:
        return all_queries()[name]
    except KeyError:
        raise GraphcatError(f"no Cypher query named {name!r} under cypher/") from None


def names(prefix: str = "") -> list[str]:
    return [name for name in all_queries() if name.startswith(prefix)]
