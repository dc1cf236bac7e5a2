"""OIDC access tokens (JWT) from the configured issuer (GRAPHCAT_OIDC_ISSUER), checked with PyJWT.

The issuer's discovery document names its JWKS; the keys are cached (GRAPHCAT_OIDC_JWKS_CACHE_SECONDS)
and refetched when a token names a `kid` the cache lacks (key rotation), at most once per
REFRESH_INTERVAL so that forged `kid`s cannot make graphcat hammer the issuer. A token must be
signed with an allowed asymmetric algorithm (never `none`, never HS*: a public key cannot act as
an HMAC secret), by a key of the issuer's JWKS whose own `alg` (when given) matches, and carry the
right `iss` and `aud`, a `sub`, and `exp`/`nbf`/`iat` within GRAPHCAT_OIDC_LEEWAY_SECONDS. Each
failure is Unauthorized (401) with its reason; an issuer that cannot be reached is
IdentityProviderUnavailable (503), never a silent 401 for everyone.

Groups map to roles (GRAPHCAT_OIDC_GROUPS_CLAIM): `/NS/writers` is writer@NS, `/NS/readers`
reader@NS, `/NS/admins` admin@NS; `/admins`, `/writers`, `/readers` are global. Every signed-in
user is at least a global reader.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any, Callable

import jwt
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError

from graphcat.errors import IdentityProviderUnavailable, Unauthorized
from graphcat.settings import Settings

REFRESH_INTERVAL = 10.0  # seconds between two JWKS refetches caused by unknown `kid`s
GROUP_ROLES = {"readers": "reader", "writers": "writer", "admins": "admin"}


def _when(seconds: Any) -> str:
    try:
        return datetime.fromtimestamp(float(seconds), tz=timezone.utc).isoformat(timespec="seconds")
    except (TypeError, ValueError, OverflowError, OSError):
        return repr(seconds)


def roles_from_groups(groups: Any, claim: str) -> tuple[str, dict[str, str]]:
    """(global role, {namespace: role}) from a groups claim; unknown groups are ignored."""
    if groups is None:
        groups = []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise Unauthorized(f"the OIDC token's {claim!r} claim must be a list of group names")
    order = ["reader", "writer", "admin"]
    best_global = "reader"
    per_namespace: dict[str, str] = {}
    for group in groups:
        parts = [p for p in group.strip().split("/") if p]
        if len(parts) == 1 and parts[0] in GROUP_ROLES:
            best_global = max(best_global, GROUP_ROLES[parts[0]], key=order.index)
        elif len(parts) == 2 and parts[1] in GROUP_ROLES:
            role = GROUP_ROLES[parts[1]]
            per_namespace[parts[0]] = max(per_namespace.get(parts[0], role), role, key=order.index)
    return best_global, per_namespace


class _KeyClient(PyJWKClient):  # type: ignore[misc]
    """PyJWKClient whose refetch-on-unknown-kid happens at most once per REFRESH_INTERVAL."""

    def __init__(self, uri: str, lifespan: int, timeout: float) -> None:
        super().__init__(uri, cache_jwk_set=True, lifespan=lifespan, timeout=timeout)
        self._last_refresh = 0.0
        self._refresh_lock = threading.Lock()

    def signing_key(self, kid: str) -> jwt.PyJWK:
        key = self.match_kid(self.get_signing_keys(), kid)
        if key is None:
            with self._refresh_lock:
                if time.monotonic() - self._last_refresh >= REFRESH_INTERVAL:
                    self._last_refresh = time.monotonic()
                    key = self.match_kid(self.get_signing_keys(refresh=True), kid)
        if key is None:
            raise Unauthorized(f"the OIDC token's key id (kid) {kid!r} is not among the issuer's signing keys")
        return key


class OidcVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self._keys: _KeyClient | None = None
        self._lock = threading.Lock()

    def _discover(self) -> _KeyClient:
        with self._lock:
            if self._keys is not None:
                return self._keys
            url = self.issuer + "/.well-known/openid-configuration"
            try:
                with urllib.request.urlopen(url, timeout=self.settings.oidc_http_timeout) as response:
                    document = json.loads(response.read())
            except (urllib.error.URLError, OSError, ValueError) as exc:
                raise IdentityProviderUnavailable(
                    f"the OIDC issuer's discovery document {url} could not be read ({exc}); tokens cannot be checked"
                ) from exc
            if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != self.issuer \
                    or not isinstance(document.get("jwks_uri"), str):
                raise IdentityProviderUnavailable(
                    f"the discovery document {url} does not describe issuer {self.issuer} with a jwks_uri"
                )
            self._keys = _KeyClient(document["jwks_uri"], self.settings.oidc_jwks_cache_seconds,
                                    self.settings.oidc_http_timeout)
            return self._keys

    def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of `token`, or Unauthorized / IdentityProviderUnavailable saying why not."""
        size = len(token.encode("utf-8", "replace"))
        if size > self.settings.oidc_max_token_bytes:
            raise Unauthorized(
                f"the bearer token is {size} bytes, more than GRAPHCAT_OIDC_MAX_TOKEN_BYTES={self.settings.oidc_max_token_bytes}"
            )
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the bearer token is neither an API token nor a JWT ({exc})") from exc
        alg = header.get("alg")
        allowed = self.settings.oidc_algorithm_list
        if alg not in allowed:
            raise Unauthorized(f"the OIDC token's algorithm {alg!r} is not accepted (allowed: {', '.join(allowed)})")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("the OIDC token has no key id (kid) in its header")
        keys = self._discover()
        try:
            key = keys.signing_key(kid)
        except PyJWKClientConnectionError as exc:
            raise IdentityProviderUnavailable(f"the OIDC issuer's signing keys could not be fetched ({exc})") from exc
        except PyJWKClientError as exc:
            raise IdentityProviderUnavailable(f"the OIDC issuer's signing keys are unusable ({exc})") from exc
        declared = getattr(key, "_jwk_data", {}).get("alg")  # the JWK's own `alg`, when the issuer names one
        if declared and declared != alg:
            raise Unauthorized(f"the OIDC token says algorithm {alg!r} but its key {kid!r} is for {declared!r}")
        return self._decode(token, key.key, alg)

    def _decode(self, token: str, key: Any, alg: str) -> dict[str, Any]:
        s = self.settings
        unverified: Callable[[str], Any] = lambda name: jwt.decode(token, options={"verify_signature": False}).get(name)
        try:
            return jwt.decode(
                token, key, algorithms=[alg], audience=s.oidc_audience, issuer=self.issuer, leeway=s.oidc_leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized(f"the OIDC token expired at {_when(unverified('exp'))}") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthorized(
                f"the OIDC token is not valid yet (nbf {_when(unverified('nbf'))}, iat {_when(unverified('iat'))})"
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized(f"the OIDC token was issued by {unverified('iss')!r}, not {self.issuer!r}") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized(f"the OIDC token is for audience {unverified('aud')!r}, not {s.oidc_audience!r}") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"the OIDC token lacks the {exc.claim!r} claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthorized("the OIDC token's signature does not verify (tampered, or signed by another key)") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"the OIDC token is not valid ({exc})") from exc
