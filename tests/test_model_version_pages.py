"""Keyset pages of model versions on the real Neo4j: every sort and direction walks the catalog
exactly once in order, also while versions are registered between pages; cursors are opaque and
tied to their sort; the total is counted only when asked."""

from __future__ import annotations

from typing import Any

import pytest

from graphcat.errors import InvalidInput
from graphcat.service import catalog as service
from graphcat.store.database import Database, count_queries


def versions_document(models: range, versions: int, *, day: int = 1, minor: int = 0) -> dict[str, Any]:
    """Models with several versions each: ties on model_uid and on version, some without created_at."""
    return {"graphcat_catalog": 1, "models": [
        {"id": f"pager-{i:02d}", "name": f"Pager {i}", "versions": [
            {"version": f"{v}.{minor}", "framework": "onnx" if (i + v) % 3 else "pytorch",
             **({"created_at": f"2024-0{1 + (i + v) % 9}-{day:02d}"} if (i * v) % 4 else {})}
            for v in range(1, versions + 1)]}
        for i in models]}


def sort_key(mv: Any, sort: str) -> str:
    return {"model": mv.model_uid, "version": mv.version, "created_at": mv.created_at or ""}[sort]


SORTS = [(s, d) for s in ("model", "version", "created_at") for d in (False, True)]


@pytest.mark.parametrize("sort,descending", SORTS)
def test_pages_cover_every_version_once_in_order(db: Database, sort: str, descending: bool) -> None:
    service.register(db, versions_document(range(7), 3))
    seen, after, pages = [], None, 0
    while True:
        page = service.list_model_versions(db, sort=sort, descending=descending, first=4, after=after, count=False)
        assert page.total_count is None and len(page.cursors) == len(page.items)
        seen += page.items
        pages += 1
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert len(seen) == 21 and len({mv.uid for mv in seen}) == 21 and pages == 6
    keys = [(sort_key(mv, sort), mv.uid) for mv in seen]
    assert keys == sorted(keys, reverse=descending)


@pytest.mark.parametrize("sort,descending", SORTS)
def test_inserts_between_pages_neither_repeat_nor_skip(db: Database, sort: str, descending: bool) -> None:
    service.register(db, versions_document(range(0, 12, 2), 2))
    before = {mv.uid for mv in service.list_model_versions(db, first=500).items}
    seen: list[str] = []
    after, batch = None, 1
    while True:
        page = service.list_model_versions(db, sort=sort, descending=descending, first=3, after=after)
        seen += [mv.uid for mv in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
        # New versions land before, inside and after the walk's position.
        service.register(db, versions_document(range(batch, 12, 5), 2 + batch, day=batch + 1, minor=batch))
        batch += 1
    assert len(seen) == len(set(seen)), "a version came twice"
    assert before <= set(seen), f"versions skipped: {sorted(before - set(seen))}"
    assert page.total_count == len(service.list_model_versions(db, first=500).items)


def test_cursors_are_opaque_and_tied_to_their_sort(db: Database) -> None:
    service.register(db, versions_document(range(3), 2))
    page = service.list_model_versions(db, sort="version", first=2)
    assert page.cursors[-1] == page.end_cursor and ":" not in page.end_cursor
    again = service.list_model_versions(db, sort="version", first=2)
    assert again.cursors == page.cursors  # stable: the same position, the same cursor
    with pytest.raises(InvalidInput, match="belongs to sort 'version'") as err:
        service.list_model_versions(db, sort="model", first=2, after=page.end_cursor)
    assert err.value.path == "after"
    with pytest.raises(InvalidInput, match="invalid cursor"):
        service.list_model_versions(db, first=2, after="b2Zmc2V0OjE=")  # an old offset cursor
    # A cursor stays valid when its version is gone: it is a position, not a row.
    rest = service.list_model_versions(db, sort="version", first=10, after=page.end_cursor)
    assert [mv.uid for mv in rest.items] == [mv.uid for mv in service.list_model_versions(db, sort="version", first=10).items][2:]


def test_the_total_is_counted_only_when_asked(db: Database) -> None:
    service.register(db, versions_document(range(5), 2))
    with count_queries() as without:
        page = service.list_model_versions(db, first=3, count=False)
    with count_queries() as with_total:
        counted = service.list_model_versions(db, first=3)
    assert page.total_count is None and counted.total_count == 10 and with_total[0] == without[0] + 1
    assert service.list_model_versions(db, {"framework": "pytorch"}, first=1).total_count == sum(
        1 for i in range(5) for v in (1, 2) if (i + v) % 3 == 0)
    empty = service.list_model_versions(db, {"framework": "tensorflow"}, first=3)
    assert empty.items == () and empty.total_count == 0 and empty.end_cursor is None and not empty.has_next_page
