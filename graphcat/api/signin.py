"""The page's sign-in: OIDC authorization code flow with PKCE (S256), through authlib's starlette client.

- GET /auth/login redirects to the issuer (GRAPHCAT_OIDC_ISSUER) for the public client
  GRAPHCAT_OIDC_WEB_CLIENT_ID; authlib keeps the state, nonce and PKCE code verifier in the session.
- GET /auth/callback checks the state, exchanges the code (with the verifier), checks the access
  token like any bearer token (graphcat.api.oidc) and keeps the access and refresh tokens in the
  session: starlette's SessionMiddleware, a cookie signed with GRAPHCAT_SESSION_SECRET (HttpOnly,
  SameSite=Lax). A refused sign-in, a state that does not match, or a missing code is a 400 saying so.
- GET /auth/session: who is signed in, roles per namespace, when the token expires, and the CSRF
  token the page sends as the X-Graphcat-CSRF header.
- POST /auth/logout (with the CSRF token): ends the issuer's session (its end-session endpoint, with
  the refresh token) and clears the cookie.

GraphQL requests carrying the cookie act as the signed-in user only with a matching
X-Graphcat-CSRF header (a cross-site form or fetch cannot read it); a mutation with the cookie but
without it is 403. An access token within GRAPHCAT_SESSION_REFRESH_MARGIN of its expiry is renewed
with the refresh token; a refresh the issuer refuses signs the user out.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from datetime import datetime, timezone
from typing import Any

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.starlette_client import OAuth, OAuthError
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from graphcat.api.auth import Principal, authenticate
from graphcat.errors import Forbidden, IdentityProviderUnavailable, Unauthorized
from graphcat.settings import Settings

log = logging.getLogger("graphcat.api.signin")

CSRF_HEADER = "x-graphcat-csrf"
COOKIE = "graphcat_session"
KEY = "signin"  # the session entry holding the tokens


class SignIn:
    """The registered OIDC client of one app."""

    def __init__(self, settings: Settings) -> None:
        settings.validate_signin()
        self.settings = settings
        self.oauth = OAuth()
        self.client = self.oauth.register(
            "graphcat", client_id=settings.oidc_web_client_id,
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid", "code_challenge_method": "S256",
                           "token_endpoint_auth_method": "none", "timeout": settings.oidc_http_timeout},
        )

    async def metadata(self) -> dict[str, Any]:
        try:
            return dict(await self.client.load_server_metadata())
        except (httpx.HTTPError, ValueError) as exc:
            raise IdentityProviderUnavailable(f"the OIDC issuer's discovery document could not be read ({exc})") from exc

    async def renew(self, refresh_token: str) -> dict[str, Any]:
        """New tokens for a refresh token; Unauthorized when the issuer refuses it."""
        meta = await self.metadata()
        try:
            async with AsyncOAuth2Client(client_id=self.settings.oidc_web_client_id, token_endpoint_auth_method="none",
                                         timeout=self.settings.oidc_http_timeout) as client:
                return dict(await client.refresh_token(meta["token_endpoint"], refresh_token=refresh_token))
        except OAuthError as exc:
            raise Unauthorized(f"the sign-in session could not be renewed ({exc.error}: {exc.description}); "
                               "sign in again") from exc
        except httpx.HTTPError as exc:
            raise IdentityProviderUnavailable(f"the OIDC issuer's token endpoint could not be reached ({exc})") from exc


def middleware(settings: Settings) -> list[Middleware]:
    if not settings.signin_enabled:
        return []
    settings.validate_signin()  # a clear error at start-up, not at the first sign-in
    return [Middleware(SessionMiddleware, secret_key=settings.session_secret, session_cookie=COOKIE,
                       max_age=settings.session_max_age, same_site="lax", https_only=settings.session_cookie_secure)]


def _store(request: Request, token: dict[str, Any]) -> None:
    old = request.session.get(KEY) or {}
    expires = token.get("expires_at") or (time.time() + float(token.get("expires_in") or 60))
    request.session[KEY] = {"at": token["access_token"], "rt": token.get("refresh_token") or old.get("rt"),
                            "exp": int(expires), "csrf": old.get("csrf") or secrets.token_urlsafe(24)}


def _clear(request: Request) -> None:
    for key in [k for k in request.session if k == KEY or k.startswith("_state_")]:
        del request.session[key]


async def principal(request: Request, settings: Settings, mutation: bool) -> Principal | None:
    """The signed-in user of a GraphQL request made with the session cookie, or None.

    Without the X-Graphcat-CSRF header matching the session, a query is anonymous and a mutation 403."""
    signin: SignIn | None = getattr(request.app.state, "signin", None)
    if signin is None or "session" not in request.scope:
        return None
    data = request.session.get(KEY)
    if not data:
        return None
    given = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(given.encode(), str(data.get("csrf", "")).encode()):
        if mutation:
            raise Forbidden("this mutation carries the page's sign-in cookie without its CSRF token: send the "
                            "X-Graphcat-CSRF header that /auth/session gives (or a bearer token instead of the cookie)")
        return None
    return await _checked(request, signin, data, mutation)


async def _checked(request: Request, signin: SignIn, data: dict[str, Any], raise_ended: bool) -> Principal | None:
    try:
        if data["exp"] - time.time() < signin.settings.session_refresh_margin and data.get("rt"):
            _store(request, await signin.renew(data["rt"]))
            data = request.session[KEY]
        return await run_in_threadpool(authenticate, request.app.state.db, data["at"], signin.settings)
    except Unauthorized as exc:
        _clear(request)
        log.info("sign-in session ended: %s", exc.message)
        if raise_ended:
            raise Unauthorized(f"your sign-in session ended ({exc.message}); sign in again") from exc
        return None


def _not_configured() -> Response:
    return PlainTextResponse("web sign-in is not configured: set GRAPHCAT_OIDC_ISSUER, GRAPHCAT_OIDC_WEB_CLIENT_ID "
                             "and GRAPHCAT_SESSION_SECRET", status_code=404)


def _local(path: str | None) -> str:
    """Where to go after signing in: a path on this site only (no open redirect)."""
    return path if path and path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


async def login(request: Request) -> Response:
    signin: SignIn | None = getattr(request.app.state, "signin", None)
    if signin is None:
        return _not_configured()
    request.session["next"] = _local(request.query_params.get("next"))
    try:
        return await signin.client.authorize_redirect(request, str(request.url_for("auth_callback")))
    except (httpx.HTTPError, IdentityProviderUnavailable, ValueError) as exc:
        return PlainTextResponse(f"the identity provider could not be reached ({exc}); try again later", 503)


def _bad(message: str) -> Response:
    return PlainTextResponse(f"sign-in failed: {message}. Go back to the page and sign in again.", status_code=400)


async def callback(request: Request) -> Response:
    signin: SignIn | None = getattr(request.app.state, "signin", None)
    if signin is None:
        return _not_configured()
    query = request.query_params
    if query.get("error"):
        return _bad(f"the identity provider refused it ({query['error']}: {query.get('error_description') or 'no reason given'})")
    state = query.get("state")
    if not state:
        return _bad("the callback has no `state` parameter")
    if f"_state_graphcat_{state}" not in request.session:
        return _bad("the `state` parameter does not match a sign-in this browser started (an old or forged link, "
                    "or the session cookie was lost)")
    if not query.get("code"):
        return _bad("the callback has no authorization `code`")
    try:
        token = await signin.client.authorize_access_token(request)
    except OAuthError as exc:
        return _bad(f"the code could not be exchanged for tokens ({exc.error}: {exc.description})")
    except httpx.HTTPError as exc:
        return PlainTextResponse(f"the identity provider could not be reached ({exc}); try again later", 503)
    token.pop("id_token", None)  # not kept: the cookie holds what API calls need and stays small
    try:
        await run_in_threadpool(authenticate, request.app.state.db, token["access_token"], signin.settings)
    except Unauthorized as exc:
        return _bad(f"the issuer's access token is not accepted ({exc.message})")
    next_path = _local(request.session.pop("next", "/"))
    _store(request, token)
    return RedirectResponse(next_path, status_code=303)


def describe(p: Principal) -> dict[str, Any]:
    roles = {ns: r.label for ns, r in sorted(p.namespace_roles.items())}
    held = [f"{r}@{ns}" for ns, r in roles.items()]
    if p.role.label != "reader" or not held:
        held.insert(0, p.role.label)
    return {"subject": p.subject, "name": p.name, "role": p.role.label, "namespaceRoles": roles,
            "label": f"{p.name} ({', '.join(held)})"}


async def session(request: Request) -> Response:
    signin: SignIn | None = getattr(request.app.state, "signin", None)
    body: dict[str, Any] = {"enabled": signin is not None, "signedIn": False}
    data = request.session.get(KEY) if signin is not None else None
    if signin is not None and data:
        try:
            who = await _checked(request, signin, data, raise_ended=False)
        except IdentityProviderUnavailable as exc:
            return JSONResponse({**body, "error": exc.message}, status_code=503)
        if who is not None:
            data = request.session[KEY]
            body.update(signedIn=True, csrfToken=data["csrf"], **describe(who),
                        expiresAt=datetime.fromtimestamp(data["exp"], tz=timezone.utc).isoformat(timespec="seconds"))
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def logout(request: Request) -> Response:
    signin: SignIn | None = getattr(request.app.state, "signin", None)
    if signin is None:
        return _not_configured()
    data = request.session.get(KEY) or {}
    form = await request.form()
    given = str(form.get("csrf") or request.headers.get(CSRF_HEADER) or "")
    if data and not hmac.compare_digest(given.encode(), str(data.get("csrf", "")).encode()):
        return PlainTextResponse("sign-out needs the page's CSRF token (form field `csrf`)", status_code=403)
    _clear(request)
    if data.get("rt"):
        try:  # end the issuer's session too, so the next sign-in asks for the password again
            meta = await signin.metadata()
            async with httpx.AsyncClient(timeout=signin.settings.oidc_http_timeout) as client:
                await client.post(meta["end_session_endpoint"],
                                  data={"client_id": signin.settings.oidc_web_client_id, "refresh_token": data["rt"]})
        except (httpx.HTTPError, IdentityProviderUnavailable, KeyError) as exc:
            log.warning("signed out here, but the issuer's session could not be ended: %s", exc)
    return RedirectResponse("/", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/auth/login", login, methods=["GET"]),
        Route("/auth/callback", callback, methods=["GET"], name="auth_callback"),
        Route("/auth/session", session, methods=["GET"]),
        Route("/auth/logout", logout, methods=["POST"]),
    ]
