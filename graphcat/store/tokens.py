"""API tokens: a random secret shown once, stored only as its sha256, with a role.

A token's secret looks like `gct_<id>_<random>`; the id part lets an operator tell tokens apart
in logs and `graphcat token list` without ever storing or printing the secret again. The secret
carries 256 bits of randomness, so an unsalted sha256 is enough to make the stored hash useless
to whoever reads the database (there is nothing to brute-force, unlike a password).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from graphcat.domain import Actor
from graphcat.errors import InvalidInput, NotFound
from graphcat.store import audit
from graphcat.store.database import Database, Tx

ROLES = ("reader", "writer", "admin")
PREFIX = "gct_"
_SECRET = re.compile(r"^gct_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$")
_NAME = re.compile(r"^[\w .@:/-]{1,100}$")


@dataclass(frozen=True)
class ApiToken:
    id: str
    name: str
    role: str
    created_at: str
    revoked: bool
    revoked_at: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "ApiToken":
        return cls(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            created_at=row["created_at"],
            revoked=bool(row["revoked"]),
            revoked_at=row["revoked_at"],
        )


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def looks_like_secret(secret: str) -> bool:
    return bool(_SECRET.match(secret))


_STATE_KEYS = ("id", "name", "role", "created_at", "revoked", "revoked_at")


def _digest(row: dict[str, Any], **override: Any) -> str:
    """A token's state for the audit trail (never its hash)."""
    return audit.state_digest({k: override.get(k, row[k]) for k in _STATE_KEYS})


def create(db: Database, role: str, name: str | None = None, *, actor: Actor | None = None,
           ) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is not kept anywhere."""
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, got {role!r}", path="role")
    token_id = secrets.token_hex(6)
    name = name if name is not None else f"{role}-{token_id}"
    if not _NAME.match(name):
        raise InvalidInput(
            "name must be 1-100 letters, digits, spaces or . @ : / - _", path="name"
        )
    secret = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"

    def work(tx: Tx) -> dict[str, Any]:
        row = tx.run("tokens/create", id=token_id, name=name, role=role, hash=hash_secret(secret))[0]
        audit.record(tx, actor, [audit.Pending(f"api_token:{token_id}", "api_token", "token-create", None, _digest(row))])
        return row

    return ApiToken.from_row(db.write_transaction(work)), secret


def find_by_secret(db: Database, secret: str) -> ApiToken | None:
    """The token this secret belongs to (revoked or not), or None when it is no token of ours."""
    if not looks_like_secret(secret):
        return None  # skip the round trip for strings that cannot be a token
    rows = db.read("tokens/by_hash", hash=hash_secret(secret))
    return ApiToken.from_row(rows[0]) if rows else None


def list_tokens(db: Database) -> list[ApiToken]:
    return [ApiToken.from_row(row) for row in db.read("tokens/list")]


def revoke(db: Database, token_id: str, *, actor: Actor | None = None) -> ApiToken:
    def work(tx: Tx) -> list[dict[str, Any]]:
        rows = tx.run("tokens/revoke", id=token_id)
        if rows and not rows[0]["was_revoked"]:  # revoking again changes nothing: no change recorded
            row = rows[0]
            audit.record(tx, actor, [audit.Pending(f"api_token:{token_id}", "api_token", "token-revoke",
                                                   _digest(row, revoked=False, revoked_at=None), _digest(row))])
        return rows

    rows = db.write_transaction(work)
    if not rows:
        raise NotFound(f"no API token with id {token_id!r}", path="id")
    return ApiToken.from_row(rows[0])
