"""Who is calling: bearer API tokens or OIDC access tokens, and their roles.

A bearer secret shaped like a graphcat API token is looked up in the store (scripts and CI); any
other bearer is checked as an OIDC access token when GRAPHCAT_OIDC_ISSUER is set
(graphcat.api.oidc). An API token's role is global; an OIDC user's groups give a global role
(at least reader) and roles per namespace (writer@cms: graphcat.api.namespaces).

Roles are ordered (reader < writer < admin): a role may do everything the roles below it may.
Missing or unusable credentials are 401 (the client should authenticate); a valid token whose
role is too low is 403 (authenticating again will not help), as RFC 9110 and the
GraphQL-over-HTTP spec use them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Mapping

from graphcat.errors import Forbidden, Unauthorized
from graphcat.settings import Settings
from graphcat.store import tokens
from graphcat.store.database import Database

if TYPE_CHECKING:
    from graphcat.api.oidc import OidcVerifier


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
    token_id: str  # an API token's id, or "oidc:<jti>" for an OIDC access token
    name: str
    role: Role  # global: an API token's role; an OIDC user's from global groups (at least reader)
    subject: str | None = None  # the OIDC `sub`; None for API tokens
    namespace_roles: Mapping[str, Role] = field(default_factory=dict, hash=False, compare=False)

    @property
    def highest(self) -> Role:
        """The highest role held anywhere (globally or in some namespace)."""
        return max([self.role, *self.namespace_roles.values()])

    def role_in(self, namespace: str) -> Role:
        return max(self.role, self.namespace_roles.get(namespace, Role.READER))

    @property
    def rate_key(self) -> str:
        """Whose mutations share one rate limit: an API token, or an OIDC user (all their tokens)."""
        return f"oidc-sub:{self.subject}" if self.subject else self.token_id


def bearer_secret(headers: Mapping[str, str]) -> str | None:
    """The secret of an `Authorization: Bearer ...` header, None when there is no header."""
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, secret = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <API token or OIDC access token>'")
    return secret.strip()


_verifiers: dict[Settings, "OidcVerifier"] = {}
_verifiers_lock = threading.Lock()


def _verifier(settings: Settings) -> "OidcVerifier":
    from graphcat.api.oidc import OidcVerifier

    with _verifiers_lock:
        if settings not in _verifiers:
            _verifiers[settings] = OidcVerifier(settings)
        return _verifiers[settings]


def authenticate(db: Database, secret: str, settings: Settings | None = None) -> Principal:
    if not tokens.looks_like_secret(secret) and settings is not None and settings.oidc_issuer:
        return _from_oidc(_verifier(settings).claims(secret), settings)
    token = tokens.find_by_secret(db, secret)
    if token is None:
        raise Unauthorized("the API token is not valid")
    if token.revoked:
        raise Unauthorized(f"API token {token.id} was revoked")
    return Principal(token_id=token.id, name=token.name, role=Role.parse(token.role))


def _from_oidc(claims: Mapping[str, object], settings: Settings) -> Principal:
    from graphcat.api.oidc import roles_from_groups

    global_role, per_namespace = roles_from_groups(claims.get(settings.oidc_groups_claim), settings.oidc_groups_claim)
    subject = str(claims["sub"])
    name = claims.get("preferred_username")
    return Principal(
        token_id=f"oidc:{claims.get('jti') or subject}", name=str(name) if name else subject,
        role=Role.parse(global_role), subject=subject,
        namespace_roles={ns: Role.parse(r) for ns, r in per_namespace.items()},
    )


def _who(principal: Principal) -> str:
    return f"user {principal.name}" if principal.subject else f"API token {principal.token_id}"


def require(principal: Principal | None, role: Role, action: str) -> None:
    """Raise Unauthorized without a principal, Forbidden when no role it holds reaches `role`
    (a namespace role counts here; graphcat.api.namespaces then checks the namespaces)."""
    if principal is None:
        raise Unauthorized(f"{action} needs a bearer API token or OIDC access token (role {role.label} or higher)")
    if principal.highest < role:
        raise Forbidden(f"{action} needs role {role.label}; {_who(principal)} has role {principal.highest.label}")


def require_in(principal: Principal, role: Role, namespaces: list[str], action: str) -> None:
    """Forbidden unless `principal` holds `role` globally or in one of `namespaces`."""
    if principal.role >= role or any(principal.role_in(ns) >= role for ns in namespaces):
        return
    held = ", ".join(f"{r.label}@{ns}" for ns, r in sorted(principal.namespace_roles.items())) or "none"
    if not namespaces:
        raise Forbidden(f"{action} touches no experiment or owner namespace, so it needs global role {role.label}; "
                        f"{_who(principal)} has namespace roles {held}")
    raise Forbidden(f"{action} needs role {role.label} in namespace {' or '.join(namespaces)}; "
                    f"{_who(principal)} has {held}")
