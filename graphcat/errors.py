"""One error hierarchy for graphcat. Each error has a stable code and an HTTP status."""

from __future__ import annotations


class GraphcatError(Exception):
    code = "GRAPHCAT_ERROR"
    status = 500

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidSetting(GraphcatError):
    code = "INVALID_SETTING"


class InvalidInput(GraphcatError):
    code = "INVALID_INPUT"
    status = 400


class NotFound(GraphcatError):
    code = "NOT_FOUND"
    status = 404


class Conflict(GraphcatError):
    code = "CONFLICT"
    status = 409


class Unauthorized(GraphcatError):
    code = "UNAUTHORIZED"
    status = 401


class Forbidden(GraphcatError):
    code = "FORBIDDEN"
    status = 403


class DatabaseUnavailable(GraphcatError):
    """Neo4j does not answer. Retryable: the caller may try again later."""

    code = "DATABASE_UNAVAILABLE"
    status = 503


class LauncherError(GraphcatError):
    """The local Neo4j launcher could not do what was asked (Java/Maven missing, port taken...)."""

    code = "LAUNCHER_ERROR"


class IdentityProviderUnavailable(GraphcatError):
    """The OIDC issuer's discovery document or signing keys cannot be fetched: tokens cannot be checked."""

    code = "IDENTITY_PROVIDER_UNAVAILABLE"
    status = 503
