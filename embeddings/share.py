"""Which of the user's columns are data, and the share of that data a model uses.

The ranker weighs "the model's inputs are satisfied" against "the user's columns are used"
(embeddings.ranker `_structure`). Two kinds of column are not data a model should be asked to use:

* bookkeeping (`bookkeeping`): labels, weights, event and run numbers;
* collection counters (`counters`): NanoAOD's `nJet`, `nMuon`, `nPFCands`, ATLAS's `lep_n` — a scalar
  count of a collection whose columns are jagged lists in the same table. It is the lists' length
  per event, which every reader of `Jet_pt` gets with it, not a feature of its own.

A wide table (a NanoAOD Events tree, an ATLAS Open Data ntuple with its weights and scale factors)
holds several collections; a model that reads one or two of them coherently should not lose for
the collections it has no use for. So the share is taken over the collections (physics objects of
embeddings.names: `Muon_*` and `mu_*` are muons) the model reads from: `used / data columns of
those collections`, but never over fewer than `NARROW` columns (or all of them, if fewer): a table of
a dozen columns was made for a model and all of it counts, as before, and in a wide one a model using
a three-column collection whole is not taken to use all the data. A table without object prefixes
is one collection. `share_bound` bounds the share from above for embeddings.bounds.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable, Sequence

from embeddings.names import Field, canonical, tokens

NARROW = 12  # data columns up to which the share is over the whole table (measured on the dev sets)

_BOOK_ANY = frozenset({"label", "labels", "target", "truth", "weight", "weights", "weighting"})
_BOOK_ONLY = frozenset({"event", "evt", "id", "number", "no", "run", "lumi", "lumiblock", "luminosity", "block",
                        "index", "entry", "eventnumber", "runnumber", "is", "signal", "sample", "training", "class"})


@lru_cache(maxsize=16384)
def bookkeeping(name: str) -> bool:
    """A column no model reads as data: the label (`labels`, `is_signal`, `label_QCD`), a weight
    (`training_weights`), an event or run number. It does not count in the share of the user's
    columns a model uses: a tagger using 15 of 15 physics columns uses all of the data, whatever
    the file's label and weight columns."""
    words = set(tokens(name))
    return bool(words & _BOOK_ANY) or {"is", "signal"} <= words or (bool(words) and words <= _BOOK_ONLY)


def counters(fields: Sequence[Field]) -> frozenset[int]:
    """Indices of the scalar counts of a collection given as jagged lists beside them (`nJet` with
    `Jet_pt: (N,)`). A scalar `jet_nparticles` of a per-jet table is a feature: no jagged jet list."""
    jagged = {canonical(f.column.name).obj for f in fields if f.column.shape[:1] == (None,)}
    out = set()
    for i, f in enumerate(fields):
        c = canonical(f.column.name)
        if f.column.shape == () and c.qty == "n" and c.obj is not None and c.obj in jagged:
            out.add(i)
    return frozenset(out)


def groups(user: Any) -> dict[int, str]:
    """Data field index → its collection ("" when the name names no object). `user` is a
    compat.Prepared (memoised there) or a plain list of fields."""
    def make() -> dict[int, str]:
        skip = counters(user)
        return {i: canonical(f.column.name).obj or "" for i, f in enumerate(user)
                if i not in skip and not bookkeeping(f.column.name)}
    return user.memo("share-groups", make) if hasattr(user, "memo") else make()


def n_data(user: Any) -> int:
    """Data columns of the schema (all of them when every column looks like bookkeeping)."""
    return len(groups(user)) or len(user)


def share(user: Any, used: Iterable[int]) -> float:
    """Used data columns over the data columns of the collections they belong to."""
    g = groups(user)
    if not g:  # only bookkeeping columns: every one of them is data
        fields = set(used)
        return min(1.0, len(fields) / len(user)) if len(user) else 0.0
    mine = [g[i] for i in set(used) if i in g]
    if not mine:
        return 0.0
    touched = set(mine)
    scope = sum(1 for k in g.values() if k in touched)
    return min(1.0, len(mine) / max(scope, min(len(g), NARROW)))


def share_bound(user: Any, possible: Iterable[int]) -> float:
    """An upper bound on `share(user, used)` for every `used` within `possible`: a ratio of sums is
    at most the largest ratio of its terms, so the best collection's own share bounds it; and the
    denominator is never below `min(data columns, NARROW)`."""
    g = groups(user)
    if not g:
        return share(user, possible)
    hits: dict[str, int] = {}
    for i in set(possible):
        if i in g:
            hits[g[i]] = hits.get(g[i], 0) + 1
    if not hits:
        return 0.0
    sizes: dict[str, int] = {}
    for k in g.values():
        sizes[k] = sizes.get(k, 0) + 1
    floor = sum(hits.values()) / min(len(g), NARROW)
    return min(1.0, floor, max(n / sizes[k] for k, n in hits.items()))
