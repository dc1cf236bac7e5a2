"""Who is calling: bearer API tokens and their roles.

Roles are ordered (reader < writer < admin): a role may do everything the roles below it may.
Missing or unusable credentials are 401 (the client should authenticate); a valid token whose
role is too low is 403 (authenticating again will not help), as RFC 9110 and the
GraphQL-over-HTTP spec use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Mapping

from graphcat.errors import Forbidden, Unauthorized
from graphcat.store import tokens
from graphcat.store.database import Database


class Role(IntEnum):
    READER = 1
    WRITER = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> "Role":
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Principal:
    token_id: str
    name: str
    role: Role


def bearer_secret(headers: Mapping[str, str]) -> str | None:
    """The secret of an `Authorization: Bearer ...` header, None when there is no header."""
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, secret = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <API token>'")
    return secret.strip()


def authenticate(db: Database, secret: str) -> Principal:
    token = tokens.find_by_secret(db, secret)
    if token is None:
        raise Unauthorized("the API token is not valid")
    if token.revoked:
        raise Unauthorized(f"API token {token.id} was revoked")
    return Principal(token_id=token.id, name=token.name, role=Role.parse(token.role))


def require(principal: Principal | None, role: Role, action: str) -> None:
    """Raise Unauthorized without a principal, Forbidden when its role is below `role`."""
    if principal is None:
        raise Unauthorized(f"{action} needs a bearer API token (role {role.label} or higher)")
    if principal.role < role:
        raise Forbidden(
            f"{action} needs role {role.label}; API token {principal.token_id} has role {principal.role.label}"
        )
