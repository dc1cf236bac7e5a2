"""The event axis of a whole-file column list: `constituents: [250000, 50, 4]` is 50 × 4 per event.

A column list copied from `h5py` (`f[key].shape`) or numpy (`np.load(...)[key].shape`) describes
the whole file, so its first axis counts events (or jets, showers) — not objects per event. The
ranker's convention is a shape per event, so that axis must come off before any shape is compared,
and the answer must say it did.

`split_event_axis(columns, events=None)`:
- with `events` (the caller knows the row count): that leading length is taken off every column
  that has it; a column list where no column starts with it is an error that says so;
- without it, the axis is recognised when every column is an array (a whole-file listing has no
  per-event scalars: a scalar per event prints as `(N,)`), all of them share one leading length,
  and that length is large (≥ `MIN_EVENTS`). A single 1-D column `(368,)` stays as it is: it may
  be 368 values per event. A single column of two or more axes with a large first one
  (`X: (100000, 139, 4)`) is a whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from embeddings.errors import InvalidSchema
from embeddings.schema import Column

MIN_EVENTS = 1000  # a per-event list of objects longer than this is rare; a file shorter than this too


@dataclass(frozen=True)
class EventAxis:
    """The leading length taken off the columns, and whether the caller gave it or it was inferred."""

    events: int
    columns: tuple[str, ...]  # the columns it was taken off
    given: bool

    def describe(self) -> str:
        how = "as given (events)" if self.given else "read as the event axis: every column starts with it"
        return (f"event axis: the leading {self.events} of {', '.join(self.columns)} is the number of events, "
                f"{how}; shapes are compared per event")


def split_event_axis(columns: Sequence[Column], events: int | None = None) -> tuple[list[Column], EventAxis | None]:
    """The columns with per-event shapes, and the event axis taken off them (None when none was)."""
    cols = list(columns)
    if events is not None:
        if isinstance(events, bool) or not isinstance(events, int) or events < 1:
            raise InvalidSchema(f"events must be a positive number of rows, got {events!r}", path="events")
        hit = [c.name for c in cols if c.shape[:1] == (events,)]
        if not hit:
            shapes = ", ".join(f"{c.name} {list(c.shape)}" for c in cols[:5])
            raise InvalidSchema(f"events={events}, but no column's shape starts with {events} ({shapes})",
                                path="events")
        return [_strip(c) if c.shape[:1] == (events,) else c for c in cols], EventAxis(events, tuple(hit), True)
    if not cols or any(not c.shape or c.shape[0] is None for c in cols):
        return cols, None
    lead = {c.shape[0] for c in cols}
    if len(lead) != 1:
        return cols, None
    (n,) = lead
    assert n is not None
    if n < MIN_EVENTS or (len(cols) == 1 and len(cols[0].shape) < 2):
        return cols, None
    return [_strip(c) for c in cols], EventAxis(n, tuple(c.name for c in cols), False)


def _strip(column: Column) -> Column:
    return replace(column, shape=tuple(column.shape[1:]))
