"""OIDC test support: the real Keycloak of graphcat's launcher, its tokens, and a forging issuer.

`keycloak_server` starts the launcher's Keycloak unless it runs (stopping it at the end when it
started it); it fails loudly when Keycloak cannot start. `password_token` and `service_token`
get real access tokens from its token endpoint (the confidential client graphcat-tests).

`FakeIssuer` is a second, real HTTP issuer on 127.0.0.1 that serves a discovery document and a
JWKS of RSA keys made here with `cryptography`, so the attack cases (expired, not yet valid,
wrong issuer, unknown kid, rotation, JWKS down) can be signed with keys the test holds.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from graphcat import keycloak_launcher
from graphcat.settings import Settings

CLIENT_ID, CLIENT_SECRET = "graphcat-tests", "graphcat-tests-secret"


@pytest.fixture(scope="session")
def keycloak_server(settings: Settings) -> Iterator[Settings]:
    started_here = False
    if not keycloak_launcher.status(settings).running:
        keycloak_launcher.start(settings)
        started_here = True
    yield settings
    if started_here:
        keycloak_launcher.stop(settings)


def token_endpoint(settings: Settings) -> str:
    return keycloak_launcher.issuer(settings) + "/protocol/openid-connect/token"


def _grant(settings: Settings, form: dict[str, str]) -> str:
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(token_endpoint(settings), data=data), timeout=30) as r:
        return str(json.loads(r.read())["access_token"])


def password_token(settings: Settings, user: str, client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> str:
    """A real access token of realm user `user` (password `<user>-password`)."""
    return _grant(settings, {"grant_type": "password", "client_id": client_id, "client_secret": secret,
                             "username": user, "password": f"{user}-password", "scope": "openid"})


def service_token(settings: Settings) -> str:
    """A client-credentials token of graphcat-tests' service account (group /hls4ml/writers)."""
    return _grant(settings, {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def split(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload))), signature


class FakeIssuer:
    """A real HTTP OIDC issuer (discovery + JWKS) whose RSA keys the test holds."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.jwks_status = 200
        self.jwks_fetches = 0
        self.add_key("key-1")
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/.well-known/openid-configuration":
                    self._send(200, {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"})
                elif self.path == "/jwks":
                    issuer.jwks_fetches += 1
                    self._send(issuer.jwks_status, issuer.jwks() if issuer.jwks_status == 200 else {"error": "down"})
                else:
                    self._send(404, {})

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_key(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.keys[kid]

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        base = {"iss": self.url, "aud": "graphcat", "sub": "forged-user", "iat": now, "exp": now + 300,
                "jti": uuid.uuid4().hex, "preferred_username": "mallory", "groups": ["/writers"]}
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    def sign(self, claims: dict[str, Any], kid: str = "key-1", key: rsa.RSAPrivateKey | None = None) -> str:
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake_issuer() -> Iterator[FakeIssuer]:
    issuer = FakeIssuer()
    yield issuer
    issuer.close()
