"""Talking to a peer site's GraphQL API (graphcat sync --from URL): its changes since a time, and the
catalog document of some entities. Plain HTTP POSTs (urllib), a bearer token when given.

Any failure (unreachable, HTTP error, GraphQL errors, an answer of the wrong shape) is a SyncFailed
naming the peer and what was asked; nothing is written before every answer of a batch is in.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from graphcat.errors import GraphcatError

TIMEOUT = 120.0
CHANGES = """query ($since: String, $after: String) {
  changes(since: $since, after: $after) {
    edges { node { id at entity entityKind operation after } }
    pageInfo { hasNextPage endCursor }
  }
}"""
DOCUMENT = """query ($entities: [ID!]!) {
  syncDocument(entities: $entities) { document missing }
}"""


class SyncFailed(GraphcatError):
    """A sync could not complete; the batch being applied (if any) was rolled back."""


@dataclass(frozen=True)
class PeerChange:
    id: str
    at: str
    entity: str
    kind: str
    operation: str
    after: str | None


class Peer:
    def __init__(self, url: str, token: str | None = None, timeout: float = TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            raise SyncFailed(f"--from must be the peer's GraphQL URL (http(s)://host/graphql), got {url!r}")
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    @property
    def site(self) -> str:
        """The peer's name in this catalog (cursor, provenance): its GraphQL URL."""
        return self.url

    def query(self, query: str, variables: dict[str, Any], what: str) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise SyncFailed(f"peer {self.url} answered {what} with HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SyncFailed(f"peer {self.url} is unreachable ({what}): {exc}") from exc
        except ValueError as exc:
            raise SyncFailed(f"peer {self.url} answered {what} with something that is not JSON: {exc}") from exc
        if payload.get("errors"):
            messages = "; ".join(str(e.get("message")) for e in payload["errors"])
            raise SyncFailed(f"peer {self.url} refused {what}: {messages}")
        if not isinstance(payload.get("data"), dict):
            raise SyncFailed(f"peer {self.url} answered {what} without data")
        return payload["data"]

    def changes(self, since: str | None) -> list[PeerChange]:
        """Every change of the peer at or after `since` (None: all), oldest first."""
        found: list[PeerChange] = []
        after: str | None = None
        while True:
            page = self.query(CHANGES, {"since": since, "after": after}, f"changes(since: {since})")["changes"]
            found.extend(PeerChange(id=n["id"], at=n["at"], entity=n["entity"], kind=n["entityKind"],
                                    operation=n["operation"], after=n.get("after"))
                         for n in (e["node"] for e in page["edges"]))
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        return sorted(found, key=lambda c: c.id)

    def document(self, entities: list[str]) -> tuple[dict[str, Any], list[str]]:
        """The peer's catalog document of `entities`, and those it no longer holds."""
        answer = self.query(DOCUMENT, {"entities": entities}, f"syncDocument of {len(entities)} entities")["syncDocument"]
        try:
            document = json.loads(answer["document"])
        except (TypeError, ValueError) as exc:
            raise SyncFailed(f"peer {self.url} sent a syncDocument that is not a JSON document: {exc}") from exc
        return document, list(answer["missing"])
