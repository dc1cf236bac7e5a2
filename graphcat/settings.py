"""All of graphcat's configuration, in one place.

Every setting is a GRAPHCAT_* environment variable (an optional `.env` file in the working
directory is read too; the real environment wins). Nothing else in graphcat reads the
environment. Each setting carries its default and one line of documentation; the README's
configuration table lists them all, and tests/test_settings_documented.py fails when it does not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from graphcat.errors import InvalidSetting


# Signature algorithms an OIDC token may use: asymmetric only, so a public key can never verify an
# HMAC (key confusion) and `none` is never among them.
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


def _setting(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class Settings:
    neo4j_uri: str = _setting(
        "bolt://127.0.0.1:7687",
        "Neo4j URI: bolt:// or neo4j:// for a local or self-hosted server, neo4j+s:// for Aura or a TLS cluster.",
    )
    neo4j_user: str = _setting("neo4j", "Neo4j user name.")
    neo4j_password: str = _setting(
        "graphcat-dev",
        "Neo4j password; the local launcher sets it as the initial password of a new server (8+ characters).",
    )
    neo4j_database: str = _setting("neo4j", "Neo4j database that holds the catalog.")
    neo4j_connect_timeout: float = _setting(
        5.0, "Seconds to wait for a Neo4j connection before a request fails with 503."
    )
    neo4j_version: str = _setting(
        "5.26.30", "Neo4j Community version the local launcher resolves from Maven Central."
    )
    neo4j_jar_cache: str = _setting(
        ".graphcat/jars", "Folder (git-ignored) where the launcher caches the Neo4j jars."
    )
    neo4j_home: str = _setting(
        ".graphcat/neo4j",
        "Folder (git-ignored) of the local Neo4j server: configuration, data (kept across restarts), logs.",
    )
    neo4j_heap: str = _setting("1g", "Java heap of the local Neo4j server.")
    neo4j_pagecache: str = _setting("512m", "Page cache of the local Neo4j server.")
    neo4j_start_timeout: float = _setting(
        180.0, "Seconds the launcher waits for the local Neo4j to answer on Bolt."
    )
    keycloak_version: str = _setting(
        "26.7.3", "Keycloak (org.keycloak:keycloak-quarkus-dist) version `graphcat keycloak start` fetches from Maven Central."
    )
    keycloak_cache: str = _setting(
        ".graphcat/keycloak-dist", "Folder (git-ignored) where the Keycloak launcher caches the distribution zip."
    )
    keycloak_home: str = _setting(
        ".graphcat/keycloak", "Folder (git-ignored) of the local Keycloak server: the unpacked distribution, its log."
    )
    keycloak_port: int = _setting(8180, "HTTP port of the local Keycloak (dev mode, 127.0.0.1; management port +1).")
    keycloak_java_home: str = _setting(
        "/usr/lib/jvm/temurin-25-jdk-amd64", "JAVA_HOME for Keycloak alone (it needs Java 21+; Neo4j keeps its own Java)."
    )
    keycloak_start_timeout: float = _setting(
        600.0, "Seconds the launcher waits for the local Keycloak to serve its realm's discovery document."
    )
    oidc_issuer: str = _setting(
        "", "OIDC issuer whose access tokens (JWT) the API accepts besides API tokens, e.g. "
            "http://127.0.0.1:8180/realms/graphcat; empty: API tokens only."
    )
    oidc_audience: str = _setting("graphcat", "The `aud` an OIDC access token must carry.")
    oidc_groups_claim: str = _setting(
        "groups", "Token claim listing the caller's groups: /NS/writers gives writer@NS, /NS/readers reader@NS, "
                  "/admins (or /NS/admins) admin; /writers and /readers are global."
    )
    oidc_algorithms: str = _setting(
        "RS256,PS256,ES256", "Signature algorithms accepted on OIDC tokens (asymmetric only; none and HS* are refused)."
    )
    oidc_leeway_seconds: float = _setting(10.0, "Clock skew allowed on an OIDC token's exp, nbf and iat.")
    oidc_jwks_cache_seconds: int = _setting(
        300, "Seconds the issuer's signing keys (JWKS) are cached; an unknown `kid` refetches them at once (rotation), at most once per 10 s."
    )
    oidc_http_timeout: float = _setting(5.0, "Seconds to wait for the issuer's discovery document or JWKS (then 503).")
    oidc_max_token_bytes: int = _setting(8192, "Largest bearer token (bytes) the API reads; longer ones are 401 unparsed.")
    oidc_web_client_id: str = _setting(
        "", "Public OIDC client the web page signs in with (authorization code + PKCE S256), e.g. graphcat; "
            "empty: no sign-in on the page. Needs GRAPHCAT_OIDC_ISSUER and GRAPHCAT_SESSION_SECRET."
    )
    session_secret: str = _setting(
        "", "Key (32+ bytes, keep it secret) that signs the page's session cookie; required with GRAPHCAT_OIDC_WEB_CLIENT_ID."
    )
    session_max_age: int = _setting(
        28800, "Seconds the page's sign-in session cookie lasts at most (the issuer's refresh token may end it sooner)."
    )
    session_cookie_secure: bool = _setting(False, "Send the session cookie over HTTPS only (set true behind TLS).")
    session_refresh_margin: float = _setting(
        30.0, "Seconds before its access token expires at which a signed-in session renews it with the refresh token."
    )
    host: str = _setting("127.0.0.1", "Address the API and page listen on.")
    port: int = _setting(8000, "Port the API and page listen on.")
    log_level: str = _setting("info", "Log level: debug, info, warning or error.")
    max_lineage_depth: int = _setting(
        10, "Largest depth a lineage, path or impact query may walk."
    )
    lineage_default_nodes: int = _setting(
        500, "Nodes a lineage or impact answer returns when the client gives no limit (nearest first; "
             "beyond it the answer says truncated)."
    )
    lineage_max_nodes: int = _setting(
        5000, "Most nodes a client may ask a lineage or impact answer for (its `limit`)."
    )
    graphql_max_depth: int = _setting(
        12, "Deepest nesting of fields a GraphQL operation may select (fragments included)."
    )
    graphql_max_tokens: int = _setting(
        2000, "Most lexical tokens a GraphQL document may hold; longer documents are refused unparsed."
    )
    graphql_max_aliases: int = _setting(
        30, "Most field aliases a GraphQL operation may use, counting every fragment spread."
    )
    graphql_max_page_size: int = _setting(
        100, "Largest `first` a GraphQL connection accepts (and the page size when `first` is omitted)."
    )
    reads_require_token: bool = _setting(
        False, "When true, GraphQL queries need a bearer API token too (mutations always do)."
    )
    private_namespaces: str = _setting(
        "", "Comma-separated namespaces (experiment or owner ids) whose entities only their members (and global admins) "
            "see; needs GRAPHCAT_READS_REQUIRE_TOKEN."
    )
    mutation_rate_per_minute: int = _setting(
        120, "Mutations (root mutation fields) one API token may run per minute; more get HTTP 429."
    )
    max_upload_bytes: int = _setting(
        512 * 1024 * 1024, "Largest user data file (bytes) `graphcat schema` and uploads read; npz members count uncompressed."
    )
    max_columns: int = _setting(10000, "Most columns (features) a user data file may have.")
    evaluation_workers: int = _setting(
        2, "Evaluations (evaluateOnData) run at once, each in its own worker process; more wait in a queue."
    )
    evaluation_time_limit_s: float = _setting(
        600.0, "Seconds an evaluation may run in its worker before it is stopped (TIME_LIMIT, nothing recorded)."
    )
    evaluation_wait_s: float = _setting(
        20.0, "Seconds evaluateOnData waits for the result before it answers with the job to poll (evaluationJob)."
    )
    monitor_webhook_url: str = _setting(
        "", "URL that `graphcat monitor` POSTs a JSON alert to when a monitored series enters the alert state "
            "(once per state change); empty: no webhook."
    )
    monitor_webhook_timeout_s: float = _setting(10.0, "Seconds `graphcat monitor` waits for the webhook to answer.")
    artifact_root: str = _setting(
        ".graphcat/artifacts",
        "Where registered artifacts (ONNX files) are kept, content-addressed: a local folder, or s3://BUCKET/PREFIX "
        "for an S3-compatible object store (CERN S3, OCI Object Storage, AWS; credentials from the usual AWS_* variables).",
    )
    s3_endpoint_url: str = _setting(
        "", "Endpoint of the S3-compatible object store when GRAPHCAT_ARTIFACT_ROOT is s3://... (e.g. "
            "https://s3.cern.ch); empty means boto3's default (AWS, or AWS_ENDPOINT_URL)."
    )
    artifact_cache: str = _setting(
        ".graphcat/artifact-cache",
        "Local folder of verified copies of object-store artifacts (content-addressed; a copy is re-checked by sha256 before use).",
    )
    bench_threads: int = _setting(
        1, "onnxruntime intra-op thread count used by latency benchmarks (recorded with each result)."
    )
    bench_runs: int = _setting(200, "Timed runs per batch size in a latency benchmark (after warm-up).")
    bench_warmup: int = _setting(20, "Untimed warm-up runs per batch size before a latency benchmark.")
    index_dir: str = _setting(
        ".graphcat/index",
        "Folder of the recommender's FAISS index files (one per Neo4j URI and database), rebuilt when missing or stale.",
    )
    embedding_backend: str = _setting(
        "onnx", "Sentence encoder backend for the recommender and search: onnx (the model exported once into "
                "GRAPHCAT_ENCODER_DIR; a query encodes in ~6 ms, torch takes 2-20x that on 2 cores) or torch."
    )
    embedding_threads: int = _setting(
        1, "Threads one encode of the recommender and search uses (onnxruntime intra-op; torch's process-wide count); "
           "1 answers one query faster on a small shared machine than threads contending with Neo4j."
    )
    encoder_dir: str = _setting(
        ".graphcat/encoder",
        "Folder where the ONNX backend keeps its export of the sentence model (a copy of the model folder; made once, "
        "shared by every index folder).",
    )
    search_min_similarity: float = _setting(
        0.30, "Cosine similarity below which the search box drops an embedding match (measured on the demo catalog by bench/search_cutoff.py)."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, env_file: str | Path = ".env") -> "Settings":
        values: dict[str, str] = {}
        env_path = Path(env_file)
        if env_path.is_file():
            values.update(_read_env_file(env_path))
        values.update(os.environ if environ is None else environ)
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            key = env_name(f.name)
            if key not in values:
                continue
            raw = values[key]
            kwargs[f.name] = _cast(key, raw, type(f.default))
        settings = cls(**kwargs)
        settings.validate()
        return settings

    def validate(self) -> None:
        scheme = urlsplit(self.neo4j_uri).scheme
        allowed = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
        if scheme not in allowed:
            raise InvalidSetting(
                f"GRAPHCAT_NEO4J_URI={self.neo4j_uri!r}: scheme must be one of {sorted(allowed)}"
            )
        if self.max_lineage_depth < 1:
            raise InvalidSetting("GRAPHCAT_MAX_LINEAGE_DEPTH must be at least 1")
        for name in ("graphql_max_depth", "graphql_max_tokens", "graphql_max_aliases",
                     "graphql_max_page_size", "mutation_rate_per_minute", "lineage_max_nodes",
                     "lineage_default_nodes", "evaluation_workers"):
            if getattr(self, name) < 1:
                raise InvalidSetting(f"{env_name(name)} must be at least 1")
        if self.max_upload_bytes < 1:
            raise InvalidSetting("GRAPHCAT_MAX_UPLOAD_BYTES must be at least 1")
        if self.evaluation_time_limit_s <= 0 or self.evaluation_wait_s < 0:
            raise InvalidSetting("GRAPHCAT_EVALUATION_TIME_LIMIT_S must be > 0 and GRAPHCAT_EVALUATION_WAIT_S >= 0")
        if self.max_columns < 1:
            raise InvalidSetting("GRAPHCAT_MAX_COLUMNS must be at least 1")
        if self.monitor_webhook_url and urlsplit(self.monitor_webhook_url).scheme not in ("http", "https"):
            raise InvalidSetting(f"GRAPHCAT_MONITOR_WEBHOOK_URL={self.monitor_webhook_url!r}: must be an http(s) URL")
        if self.monitor_webhook_timeout_s <= 0:
            raise InvalidSetting("GRAPHCAT_MONITOR_WEBHOOK_TIMEOUT_S must be > 0")
        if "://" in self.artifact_root and not self.artifact_root.startswith("s3://"):
            raise InvalidSetting(
                f"GRAPHCAT_ARTIFACT_ROOT={self.artifact_root!r}: a local folder or s3://BUCKET/PREFIX"
            )
        if self.oidc_issuer and urlsplit(self.oidc_issuer).scheme not in ("http", "https"):
            raise InvalidSetting(f"GRAPHCAT_OIDC_ISSUER={self.oidc_issuer!r}: must be an http(s) URL")
        bad = [a for a in self.oidc_algorithm_list if a not in ASYMMETRIC_ALGORITHMS]
        if bad or not self.oidc_algorithm_list:
            raise InvalidSetting(
                f"GRAPHCAT_OIDC_ALGORITHMS={self.oidc_algorithms!r}: only {', '.join(ASYMMETRIC_ALGORITHMS)} are allowed"
            )
        self.validate_signin()
        if self.private_namespace_list and not self.reads_require_token:
            raise InvalidSetting(f"GRAPHCAT_PRIVATE_NAMESPACES={self.private_namespaces!r} needs "
                                 "GRAPHCAT_READS_REQUIRE_TOKEN=true: private entities are hidden from signed-in non-members")
        if self.embedding_backend not in ("torch", "onnx"):
            raise InvalidSetting(f"GRAPHCAT_EMBEDDING_BACKEND={self.embedding_backend!r}: one of torch, onnx")
        if self.embedding_threads < 1:
            raise InvalidSetting("GRAPHCAT_EMBEDDING_THREADS must be at least 1")
        if self.bench_threads < 1 or self.bench_runs < 1 or self.bench_warmup < 0:
            raise InvalidSetting(
                "GRAPHCAT_BENCH_THREADS and GRAPHCAT_BENCH_RUNS must be at least 1, GRAPHCAT_BENCH_WARMUP at least 0"
            )

    def validate_signin(self) -> None:
        """The page's sign-in needs an issuer and a session secret long enough to sign cookies with."""
        if not self.oidc_web_client_id:
            return
        if not self.oidc_issuer:
            raise InvalidSetting(f"GRAPHCAT_OIDC_WEB_CLIENT_ID={self.oidc_web_client_id!r} needs GRAPHCAT_OIDC_ISSUER "
                                 "(the issuer the page signs in with)")
        size = len(self.session_secret.encode("utf-8"))
        if size < 32:
            raise InvalidSetting(
                f"GRAPHCAT_SESSION_SECRET is {size} bytes; web sign-in (GRAPHCAT_OIDC_WEB_CLIENT_ID="
                f"{self.oidc_web_client_id!r}) needs one of at least 32 bytes to sign session cookies, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        if self.session_max_age < 60 or self.session_refresh_margin < 0:
            raise InvalidSetting("GRAPHCAT_SESSION_MAX_AGE must be at least 60 and GRAPHCAT_SESSION_REFRESH_MARGIN >= 0")

    @property
    def signin_enabled(self) -> bool:
        return bool(self.oidc_web_client_id and self.oidc_issuer)

    @property
    def oidc_algorithm_list(self) -> list[str]:
        return [a.strip() for a in self.oidc_algorithms.split(",") if a.strip()]

    @property
    def private_namespace_list(self) -> list[str]:
        return sorted({n.strip() for n in self.private_namespaces.split(",") if n.strip()})

    @property
    def keycloak_url(self) -> str:
        return f"http://127.0.0.1:{self.keycloak_port}"

    @property
    def neo4j_host(self) -> str:
        return urlsplit(self.neo4j_uri).hostname or "127.0.0.1"

    @property
    def neo4j_bolt_port(self) -> int:
        return urlsplit(self.neo4j_uri).port or 7687

    @property
    def neo4j_is_local(self) -> bool:
        """True when the URI points at this machine, so the local launcher may manage it."""
        scheme = urlsplit(self.neo4j_uri).scheme
        return scheme in {"bolt", "neo4j"} and self.neo4j_host in {"127.0.0.1", "localhost"}


def env_name(field_name: str) -> str:
    return "GRAPHCAT_" + field_name.upper()


def documented_settings() -> list[tuple[str, Any, str]]:
    """(environment name, default, documentation) for every setting."""
    return [(env_name(f.name), f.default, f.metadata["doc"]) for f in fields(Settings)]


def _cast(key: str, raw: str, kind: type) -> Any:
    try:
        if kind is bool:
            lowered = raw.strip().lower()
            if lowered in {"1", "true", "yes", "on"}:
                return True
            if lowered in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        return kind(raw)
    except ValueError as exc:
        raise InvalidSetting(f"{key}={raw!r} is not a valid {kind.__name__}") from exc


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text().splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "=" not in stripped:
            raise InvalidSetting(f"{path}:{lineno}: expected NAME=value, got {stripped!r}")
        name, _, value = stripped.partition("=")
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values
