"""The recommender's FAISS index of the catalog, kept in step with Neo4j.

What is indexed: every model version (as its model card; the ranker puts deprecated versions
below their successors and says so), every dataset version, task, detector and experiment (embeddings.schema.Document, keys `model:<id>@<v>`,
`dataset:<id>@<v>`, `task:<id>` ...), read from Neo4j through the catalog exporter, so the texts
are exactly those `embeddings` builds from a catalog file.

Staleness, and why it is correct under concurrent writers:
- The *fingerprint* is a digest of the encoder, of every indexed document's id and text
  (embeddings.lifecycle.fingerprint) and of the versions' deprecation and aliases. It is derived from the catalog's content, not kept beside
  it, so no writer can forget to update it: whoever wrote (another graphcat process, a bulk
  import, cypher-shell), a catalog whose documents differ has another fingerprint. It is saved in
  the index file; at start-up (`ensure`) a missing, corrupt or stale file is rebuilt, and never
  served as it is.
- The *revision token* (graphcat.store.index_state) is the cheap probe of every recommendation
  or search: catalog writes through graphcat bump it in their own transaction. A search probes
  it before searching; a recommendation reads it in the same round trip as the recommended
  versions, after ranking (`recommend_read`), and ranks again after a refresh when it is not the
  token of the index that ranked. The token is read *before* the documents, so a write that
  commits in between makes the next probe differ and refresh again; the index can lag one
  refresh behind a concurrent write, never be taken as current when it is not.
- Writes through the service layer call `after_write(db)`, which applies the difference at once
  (re-encoding only changed documents), so a new version is recommendable without a restart.

Per-request work kept between requests (bench/http_latency.py measures it): the encoded vector of
a recent text (the encoder's own cache, embeddings.encoder), and the ranking of a recent column
list (columns, task, k). The rankings are
dropped whenever another catalog state is installed, so a cached ranking is always the one the
current index and cards give; the model versions of a recommendation are read from Neo4j on
every request all the same (graphcat.service.recommend).

Files (GRAPHCAT_INDEX_DIR): `catalog-<digest of URI and database>.gcvi` (embeddings.index format,
checksummed, written atomically) and a sidecar `.docs.json` with a digest of each document's text
under the same fingerprint, which lets a start-up after a few writes re-encode only what changed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal, Sequence, TypeVar

from embeddings.encoder import Encoder
from embeddings.errors import EmbeddingsError, IndexCorrupt, IndexMissing
from embeddings.index import VectorIndex
from embeddings.lifecycle import apply_changes, build_index, fingerprint
from embeddings.ranker import Recommendation, Recommender
from embeddings.schema import CatalogView, Column, Document, catalog_from_dicts
from graphcat.errors import GraphcatError
from graphcat.service.index_sidecar import read_sidecar, write_sidecar
from graphcat.service.recent import Recent, SharedLock
from graphcat.settings import Settings
from graphcat.store.database import Database
from graphcat.store.index_state import catalog_revision

log = logging.getLogger(__name__)
T = TypeVar("T")

Status = Literal["loaded", "unchanged", "updated", "updated:stale", "built:missing", "built:stale", "built:corrupt",
                 "built:rebuild"]

# Index key prefix -> catalog uid prefix.
KEY_KINDS = {"model": "model_version", "dataset": "dataset_version", "task": "task", "detector": "detector",
             "experiment": "experiment"}
UID_KINDS = {v: k for k, v in KEY_KINDS.items()}
CACHED_RANKINGS = 256  # recent column lists' rankings (k recommendations each)


class IndexUnavailable(GraphcatError):
    """The encoder or the index cannot be loaded or built (e.g. the model folder is missing)."""

    code = "INDEX_UNAVAILABLE"
    status = 503


def key_to_uid(key: str) -> str:
    kind, _, ident = key.partition(":")
    return f"{KEY_KINDS[kind]}:{ident}"


def uid_to_key(uid: str) -> str:
    kind, _, ident = uid.partition(":")
    return f"{UID_KINDS[kind]}:{ident}"


def index_path(settings: Settings) -> Path:
    """One index per catalog: engineers or replicas pointing at different databases never share it."""
    digest = hashlib.sha256(f"{settings.neo4j_uri}|{settings.neo4j_database}".encode()).hexdigest()[:12]
    return Path(settings.index_dir) / f"catalog-{digest}.gcvi"


def _text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """The catalog as the index sees it, read in this order: revision token, then documents."""

    revision: str | None
    view: CatalogView
    fingerprint: str

    @property
    def digests(self) -> dict[str, str]:
        return {d.id: _text_digest(d.text) for d in self.view.documents}


def read_catalog(db: Database, encoder: Encoder) -> Snapshot:
    from graphcat.catalog.exporter import export_document

    revision = catalog_revision(db)  # first: see the module docstring
    document = export_document(db)
    try:
        view = catalog_from_dicts([document])
    except EmbeddingsError as exc:
        raise GraphcatError(f"the catalog cannot be indexed: {exc}", path=exc.path) from exc
    return Snapshot(revision, view, catalog_fingerprint(view, encoder))


def catalog_fingerprint(view: CatalogView, encoder: Encoder) -> str:
    """The documents' fingerprint plus the ranking facts that are not in their text.

    Deprecation and the production alias change a version's rank (embeddings.ranker) but not
    its embedded text, so they are folded in: deprecating a version makes the index stale too.
    """
    h = hashlib.sha256(fingerprint(view.documents, encoder).encode())
    for card in sorted(view.models, key=lambda c: c.id):
        if card.deprecated or card.aliases:
            h.update(f"\0{card.id}\1{int(card.deprecated)}\1{','.join(sorted(card.aliases))}".encode())
    return "sha256:" + h.hexdigest()


@dataclass(frozen=True)
class IndexStatus:
    path: Path
    state: Literal["fresh", "stale", "missing", "corrupt"]
    saved_fingerprint: str | None
    current_fingerprint: str
    documents: dict[str, int]  # per kind, in the current catalog
    detail: str


class CatalogIndex:
    """The index, the ranker's model cards and the state they were built for; one per catalog per process.

    Queries share a lock that loading and refreshing take alone (FAISS indexes must not be
    searched while they are updated): requests rank side by side, and wait only for a refresh.
    """

    def __init__(self, settings: Settings, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self.path = index_path(settings)
        self.sidecar = self.path.with_suffix(".docs.json")
        self.encoder = encoder or Encoder(backend=settings.embedding_backend,  # type: ignore[arg-type]
                                          cache_dir=Path(settings.encoder_dir), threads=settings.embedding_threads)
        self._lock = SharedLock()
        self._index: VectorIndex | None = None
        self._digests: dict[str, str] = {}
        self._fingerprint: str | None = None
        self._revision: str | None = None
        self._recommender: Recommender | None = None
        self._rankings: Recent[tuple[Any, ...], list[Recommendation]] = Recent(CACHED_RANKINGS)

    # -- lifecycle ---------------------------------------------------------------------------

    def ensure(self, db: Database, *, progress: bool = False) -> Status:
        """Load the saved index when it matches the catalog; otherwise bring it up to date, and say how."""
        with self._lock.exclusive(), _embedding_errors():
            snap = read_catalog(db, self.encoder)
            status: Status
            try:
                index = VectorIndex.load(self.path, None)
                saved = VectorIndex.read_fingerprint(self.path)
            except IndexMissing:
                log.info("no vector index at %s; building it for %d documents", self.path, len(snap.view.documents))
                return self._build(snap, "built:missing", progress)
            except IndexCorrupt as exc:
                log.warning("vector index %s is corrupt (%s); rebuilding", self.path, exc.message)
                return self._build(snap, "built:corrupt", progress)
            if saved == snap.fingerprint:
                status = "loaded"
            else:
                old = read_sidecar(self.sidecar, saved)
                if old is None:
                    log.warning("vector index %s is stale (built for %s, catalog is %s); rebuilding",
                                self.path, saved, snap.fingerprint)
                    return self._build(snap, "built:stale", progress)
                changed = self._apply(index, old, snap)
                log.warning("vector index %s was stale; re-encoded %d changed documents", self.path, changed)
                status = "updated:stale"
            self._install(snap, index, save=status != "loaded")
            return status

    def rebuild(self, db: Database, *, progress: bool = False) -> Snapshot:
        """Encode every document again (`graphcat index rebuild`)."""
        with self._lock.exclusive(), _embedding_errors():
            snap = read_catalog(db, self.encoder)
            self._build(snap, "built:rebuild", progress)
            return snap

    def refresh(self, db: Database) -> Status:
        """Bring the loaded index up to the catalog's current state, re-encoding only what changed."""
        with self._lock.exclusive(), _embedding_errors():
            if self._index is None:
                return self.ensure(db)
            snap = read_catalog(db, self.encoder)
            if snap.fingerprint == self._fingerprint:
                self._revision = snap.revision
                return "unchanged"
            changed = self._apply(self._index, self._digests, snap)
            log.info("vector index updated: %d documents re-encoded", changed)
            self._install(snap, self._index)
            return "updated"

    def status(self, db: Database) -> IndexStatus:
        with self._lock.shared(), _embedding_errors():
            snap = read_catalog(db, self.encoder)
        counts: dict[str, int] = {}
        for doc in snap.view.documents:
            counts[doc.kind] = counts.get(doc.kind, 0) + 1
        try:
            saved: str | None = VectorIndex.read_fingerprint(self.path)
        except IndexMissing:
            return IndexStatus(self.path, "missing", None, snap.fingerprint, counts, "no index file")
        except IndexCorrupt as exc:
            return IndexStatus(self.path, "corrupt", None, snap.fingerprint, counts, exc.message)
        if saved == snap.fingerprint:
            return IndexStatus(self.path, "fresh", saved, snap.fingerprint, counts, "matches the catalog")
        return IndexStatus(self.path, "stale", saved, snap.fingerprint, counts,
                           "built for another catalog state; the server rebuilds it at start-up")

    # -- queries -----------------------------------------------------------------------------

    def recommend(self, db: Database, columns: Sequence[Column], *, task: str | None,
                  k: int, events: int | None = None) -> tuple[list[Recommendation], str]:
        """The ranker's recommendations and the fingerprint of the catalog state they come from."""
        ranked, state, _ = self.recommend_read(db, columns, task=task, k=k, events=events,
                                               read=lambda _: (catalog_revision(db), None))
        return ranked, state

    def recommend_read(self, db: Database, columns: Sequence[Column], *, task: str | None, k: int,
                       events: int | None, read: Callable[[list[Recommendation]], tuple[str | None, T]],
                       ) -> tuple[list[Recommendation], str, T]:
        """`recommend`, and what `read(ranking)` reads of the catalog with its revision token.

        `read` returns (the catalog's revision token, whatever else it read), in one transaction: when
        the token is the one the ranking index was built for, ranking and read are of one catalog
        state, and no probe was needed before ranking. Otherwise the index is refreshed and the
        columns ranked and read once more; that answer is served (one refresh behind at most, as
        a probe before ranking would be)."""
        key = (tuple(columns), task, k, events)
        for attempt in (1, 2):
            self._loaded(db)
            with self._lock.shared():
                recommender, state, revision = self._recommender, self._fingerprint, self._revision
                assert recommender is not None and state is not None
                ranked = self._rankings.get(key)
                if ranked is None:
                    with _embedding_errors():
                        ranked = self._rankings.put(key, recommender.recommend(columns, task=task, k=k, events=events))
            token, found = read(list(ranked))  # outside the lock: a refresh need not wait for Neo4j
            if token == revision or attempt == 2:
                break
            self._refresh_unless(db, token)
        return list(ranked), state, found

    def search(self, db: Database, text: str, *, k: int, kinds: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(catalog uid, cosine similarity) of the documents nearest to `text`, best first."""
        wanted = None if kinds is None else [UID_KINDS[k] for k in kinds if k in UID_KINDS]
        self._loaded(db)
        self._refresh_unless(db, catalog_revision(db))
        with _embedding_errors():
            query = self.encoder.encode_one(text)  # before the lock: encoding needs none
        with self._lock.shared():
            recommender = self._recommender
            assert recommender is not None
            with _embedding_errors():
                if wanted is None:
                    hits = recommender.index.search(query, k)
                else:
                    hits = [h for kind in wanted for h in recommender.index.search(query, k, prefix=f"{kind}:")]
                    hits.sort(key=lambda h: -h[1])
        return [(key_to_uid(key), score) for key, score in hits[:k]]

    def contains(self, uid: str) -> bool:
        with self._lock.shared():
            return self._index is not None and uid_to_key(uid) in self._index

    @property
    def fingerprint_value(self) -> str | None:
        return self._fingerprint

    # -- internals ---------------------------------------------------------------------------

    def _loaded(self, db: Database) -> None:
        """Load (or build) the index on first use; never while holding the shared lock."""
        if self._recommender is None:  # once set, never unset: a stale read only costs the lock
            with self._lock.exclusive():
                if self._recommender is None:
                    self.ensure(db)

    def _refresh_unless(self, db: Database, token: str | None) -> None:
        """Refresh unless the index is already the one of revision `token` (another request may
        have refreshed it meanwhile: a refresh reads the whole catalog, once is enough)."""
        if token != self._revision:  # an unlocked look first: searches must not queue for nothing
            with self._lock.exclusive():
                if token != self._revision:
                    self.refresh(db)

    def _build(self, snap: Snapshot, status: Status, progress: bool) -> Status:
        index = build_index(snap.view.documents, self.encoder, progress=progress)
        self._install(snap, index)
        return status

    def _apply(self, index: VectorIndex, old: dict[str, str], snap: Snapshot) -> int:
        new = snap.digests
        upserted = [d for d in snap.view.documents if old.get(d.id) != new[d.id]]
        removed = [key for key in old if key not in new]
        apply_changes(index, self.encoder, upserted=upserted, removed=removed)
        return len(upserted) + len(removed)

    def _install(self, snap: Snapshot, index: VectorIndex, *, save: bool = True) -> None:
        digests = snap.digests
        if save or read_sidecar(self.sidecar, snap.fingerprint) is None:
            # The sidecar first: an index file is only trusted for diffs when both name one fingerprint.
            write_sidecar(self.sidecar, snap.fingerprint, digests)
        if save:
            index.save(self.path, snap.fingerprint)
        self._index = index
        self._digests = digests
        self._fingerprint = snap.fingerprint
        self._revision = snap.revision
        self._recommender = Recommender(self.encoder, index, {c.id: c for c in snap.view.models},
                                        task_parents=snap.view.task_parents)
        self._rankings.clear()  # they belong to the previous state


class _embedding_errors:
    """Embeddings errors (model missing, malformed data) become graphcat errors at the boundary."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, EmbeddingsError):
            raise IndexUnavailable(f"the recommender's index is unavailable: {exc}") from exc


# -- one index per catalog per process ---------------------------------------------------------

_SHARED: dict[tuple[str, str, str], CatalogIndex] = {}
_SHARED_LOCK = threading.Lock()


def _key(settings: Settings) -> tuple[str, str, str]:
    return settings.neo4j_uri, settings.neo4j_database, str(Path(settings.index_dir).resolve())


def shared(settings: Settings) -> CatalogIndex:
    """The process's index of the catalog `settings` name (created, not yet loaded, on first use)."""
    with _SHARED_LOCK:
        found = _SHARED.get(_key(settings))
        if found is None:
            found = _SHARED[_key(settings)] = CatalogIndex(settings)
        return found


def after_write(db: Database) -> Status | None:
    """Apply a committed catalog write to the index, when this process holds one or one is saved.

    The write has committed either way: a failure here is logged, and the next use finds the
    revision token changed and tries again (the index is never served as current meanwhile).
    """
    settings = db.settings
    with _SHARED_LOCK:
        loaded = _SHARED.get(_key(settings))
    if loaded is None and not index_path(settings).is_file():
        return None  # nothing to keep in step: the first start-up or use builds it
    try:
        return shared(settings).refresh(db)
    except GraphcatError as exc:
        log.error("the vector index could not follow a catalog write (retried at next use): %s", exc)
        return None


def iter_status_lines(status: IndexStatus) -> Iterator[str]:
    yield f"index: {status.path}"
    yield f"state: {status.state} ({status.detail})"
    yield f"catalog fingerprint: {status.current_fingerprint}"
    yield f"saved fingerprint:   {status.saved_fingerprint or '-'}"
    yield "documents: " + ", ".join(f"{kind} {n}" for kind, n in sorted(status.documents.items()))
