"""The Neo4j driver's lifecycle and the one way graphcat runs a query: by name, with parameters.

Only graphcat.store imports neo4j. Connection failures become DatabaseUnavailable (503,
retryable); the driver reconnects by itself once the server is back, so graphcat recovers
without a restart.
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Iterator, TypeVar

import neo4j
from neo4j import GraphDatabase, ManagedTransaction
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConstraintError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graphcat.errors import Conflict, DatabaseUnavailable, GraphcatError, InvalidInput
from graphcat.settings import Settings
from graphcat.store import bookmarks, queries, visibility

T = TypeVar("T")

# The audit trail's label (graphcat.store.audit): only the queries of cypher/audit/ write it.
AUDIT_LABEL = "Change"

# Counts the queries run in the current context (one API request, one test), so that tests can
# prove there is no N+1 and benchmarks can report round trips.
query_counter: ContextVar[list[int] | None] = ContextVar("graphcat_query_counter", default=None)


@contextmanager
def count_queries() -> Iterator[list[int]]:
    box = [0]
    token = query_counter.set(box)
    try:
        yield box
    finally:
        query_counter.reset(token)


_count_lock = threading.Lock()  # Database.together counts from several threads into one box


def _count() -> None:
    box = query_counter.get()
    if box is not None:
        with _count_lock:
            box[0] += 1


# Threads for Database.together: independent reads of one request sent at once.
_together_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="graphcat-together")


@dataclass(frozen=True)
class ServerInfo:
    name: str
    version: str
    edition: str


class Tx:
    """A write or read transaction that runs named queries."""

    def __init__(self, tx: ManagedTransaction) -> None:
        self._tx = tx

    def run(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        _refuse_audit_label(name, params)
        _count()
        text = queries.get(name)
        result = self._tx.run(text, visibility.add_to(text, params))
        return [{key: _plain(value) for key, value in record.items()} for record in result]


_SCALARS = frozenset({str, int, float, bool, type(None), bytes})


def _plain(value: Any) -> Any:
    """What neo4j's `Record.data()` makes of a value, faster for the lists, maps and scalars that
    graphcat's queries return: `data()` checks every nested value against abstract classes, which
    was most of the time of reading a hub dataset version's 901 consumers. Anything else (nodes,
    relationships, paths, temporal values) goes through `data()` itself."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    return neo4j.Record({"value": value}).data()["value"]


def _refuse_audit_label(name: str, params: dict[str, Any]) -> None:
    """Queries that take their labels from rows (catalog/upsert_nodes, bulk/create_nodes) must never
    make or unmake a Change node: the audit trail is append-only, written by cypher/audit/ alone."""
    if name.startswith("audit/"):
        return
    rows = params.get("rows")
    if not rows or not isinstance(rows, list) or not isinstance(rows[0], dict) or "labels" not in rows[0]:
        return
    for row in rows:
        if AUDIT_LABEL in (row.get("labels") or ()) or AUDIT_LABEL in (row.get("remove") or ()):
            raise GraphcatError(f"{name}: a row labelled {AUDIT_LABEL} ({row.get('uid')!r}) was refused; the audit "
                                "trail is append-only and written only by graphcat.store.audit")


class Database:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.database = settings.neo4j_database
        self.driver = GraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password),
            connection_timeout=settings.neo4j_connect_timeout,
            connection_acquisition_timeout=settings.neo4j_connect_timeout * 2,
            max_transaction_retry_time=settings.neo4j_connect_timeout,
            liveness_check_timeout=10.0,
            max_connection_lifetime=600,
            notifications_min_severity="WARNING",
        )
        # One bookmark manager for every session of this process: a read after a write waits for it,
        # also on a cluster (graphcat.store.bookmarks carries bookmarks across replicas).
        self.bookmark_manager = GraphDatabase.bookmark_manager()
        self._lock = threading.Lock()

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running queries -------------------------------------------------------------------

    def read(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        return self._execute(neo4j.READ_ACCESS, lambda tx: tx.run(name, **params))

    def write(self, name: str, /, **params: Any) -> list[dict[str, Any]]:
        return self._execute(neo4j.WRITE_ACCESS, lambda tx: tx.run(name, **params))

    def together(self, *calls: Callable[[], Any]) -> list[Any]:
        """Run independent reads at once, each on its own session (a keyset page, its total and the
        check of the filter's references: the request waits for the slowest, not for their sum).
        Their queries count in the caller's query_counter. Every call finishes before this returns;
        the first failure (in argument order) is raised."""
        futures = [_together_pool.submit(contextvars.copy_context().run, call) for call in calls]
        wait(futures)
        return [future.result() for future in futures]

    def write_transaction(self, work: Callable[[Tx], T]) -> T:
        """Run `work` in one write transaction: all of its queries commit together or not at all."""
        return self._execute(neo4j.WRITE_ACCESS, work)

    def read_transaction(self, work: Callable[[Tx], T]) -> T:
        return self._execute(neo4j.READ_ACCESS, work)

    def run_schema(self, name: str) -> None:
        """Schema commands (constraints, indexes) run in their own auto-commit transaction."""
        with translate_errors():
            with self.driver.session(database=self.database) as session:
                _count()
                session.run(queries.get(name)).consume()

    def explain(self, name: str, /, **params: Any) -> None:
        """EXPLAIN a named query: plans it on the server without running it."""
        with translate_errors():
            with self.driver.session(database=self.database) as session:
                session.run("EXPLAIN " + queries.get(name), params).consume()

    def _execute(self, mode: str, work: Callable[[Tx], T]) -> T:
        with translate_errors():
            with self.driver.session(database=self.database, default_access_mode=mode,
                                     bookmark_manager=self.bookmark_manager,
                                     bookmarks=bookmarks.given()) as session:
                if mode == neo4j.READ_ACCESS:
                    return session.execute_read(lambda tx: work(Tx(tx)))
                result = session.execute_write(lambda tx: work(Tx(tx)))
                bookmarks.record_written(session.last_bookmarks())
                return result

    # -- health ------------------------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        # An auto-commit query, not a managed transaction: a health probe must fail fast
        # instead of retrying for max_transaction_retry_time.
        with translate_errors():
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                _count()
                row = session.run(queries.get("health/server_components")).single(strict=True).data()
        return ServerInfo(name=row["name"], version=row["version"], edition=row["edition"])


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn driver exceptions into graphcat errors; nothing is swallowed."""
    try:
        yield
    except GraphcatError:
        raise
    except AuthError as exc:
        raise DatabaseUnavailable(f"Neo4j rejected graphcat's credentials: {exc.message}") from exc
    except (ServiceUnavailable, SessionExpired) as exc:
        raise DatabaseUnavailable(f"Neo4j is unavailable: {exc}") from exc
    except ConstraintError as exc:
        raise Conflict(f"the catalog already holds this identity: {exc.message}") from exc
    except ClientError as exc:
        if exc.code != "Neo.ClientError.Transaction.InvalidBookmark":
            raise
        raise InvalidInput(f"the {bookmarks.HEADER} header holds a bookmark this database cannot use: "
                           f"{exc.message}", path=bookmarks.HEADER) from exc
    except TransientError as exc:
        raise DatabaseUnavailable(f"Neo4j could not complete the transaction, retry: {exc.message}") from exc
    except OSError as exc:
        raise DatabaseUnavailable(f"Neo4j is unreachable: {exc}") from exc
