"""Read the columns of a user's data file in batches of rows, for running a model on it.

The schema comes from graphcat.userschema (the same reader the recommender uses, so the names
the mapping speaks of are the names read here); the values are read per batch with the format's
own streaming API: pyarrow's row-group batches (Parquet), pandas chunks (CSV), uproot.iterate
(ROOT), h5py slices (HDF5). npz members are loaded one by one (the format has no partial read).

A batch maps each requested column name to an array with the rows first: a numpy array for
scalar and fixed-shape columns, an awkward array for variable-length ones (ROOT jagged branches,
Parquet lists); graphcat.evaluation.mapping pads or truncates those to the model's shapes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from graphcat.errors import InvalidInput
from graphcat.settings import Settings
from graphcat.userschema.model import SchemaFeature, UserSchema
from graphcat.userschema.read import read_schema

Batch = dict[str, Any]
FORMATS = ("csv", "parquet", "hdf5", "root", "npz")


@dataclass(frozen=True)
class Table:
    path: Path
    schema: UserSchema
    tree: str | None = None

    @property
    def source(self) -> str:
        return self.schema.source

    def feature(self, name: str) -> SchemaFeature:
        try:
            return self.schema.feature(name)
        except KeyError:
            raise InvalidInput(f"the file has no column {name!r} (columns: {', '.join(self.schema.names[:20])}"
                               f"{' ...' if len(self.schema.names) > 20 else ''})", path=self.source) from None

    def batches(self, names: Sequence[str], batch_rows: int) -> Iterator[Batch]:
        """Batches of at most `batch_rows` rows holding the named columns, in file order."""
        features = [self.feature(n) for n in dict.fromkeys(names)]
        reader = {"csv": _csv, "parquet": _parquet, "hdf5": _hdf5, "root": _root, "npz": _npz}[self.schema.format]
        yield from reader(self, features, batch_rows)


def open_table(path: str | Path, settings: Settings, *, tree: str | None = None, source: str | None = None) -> Table:
    schema = read_schema(path, settings, tree=tree, source=source)
    if schema.format not in FORMATS:
        raise InvalidInput(f"a model can be run on {', '.join(FORMATS)} files; this one is {schema.format}",
                           path=schema.source)
    return Table(Path(path), schema, tree)


def _csv(table: Table, features: list[SchemaFeature], rows: int) -> Iterator[Batch]:
    import pandas as pd

    names = [f.path or f.name for f in features]
    with open(table.path, newline="", encoding="utf-8", errors="replace") as fh:
        sample = fh.read(65536)
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t| ").delimiter
    except csv.Error:
        sep = ","  # one column, or a file the sniffer cannot tell: the comma the userschema reader assumes
    for chunk in pd.read_csv(table.path, sep=sep, usecols=names, chunksize=rows):
        yield {f.name: chunk[n].to_numpy() for f, n in zip(features, names)}


def _parquet(table: Table, features: list[SchemaFeature], rows: int) -> Iterator[Batch]:
    import awkward as ak
    import pyarrow.parquet as pq

    columns = [f.path or f.name for f in features]
    with pq.ParquetFile(table.path) as fh:
        for batch in fh.iter_batches(batch_size=rows, columns=sorted(set(c.split(".")[0] for c in columns))):
            out: Batch = {}
            for f, c in zip(features, columns):
                arr = ak.from_arrow(batch.column(c.split(".")[0]))
                for part in c.split(".")[1:]:
                    arr = arr[part]
                out[f.name] = _dense(arr, f)
            yield out


def _root(table: Table, features: list[SchemaFeature], rows: int) -> Iterator[Batch]:
    import uproot

    tree = table.tree or (features[0].path or "").split("/")[0]
    branches = {f.name: (f.path or f.name).split("/", 1)[-1] for f in features}
    with uproot.open(table.path, object_cache=None, array_cache=None) as fh:
        for arrays in fh[tree].iterate(sorted(set(branches.values())), step_size=rows, library="ak"):
            yield {f.name: _dense(arrays[branches[f.name]], f) for f in features}


def _hdf5(table: Table, features: list[SchemaFeature], rows: int) -> Iterator[Batch]:
    import h5py

    with h5py.File(table.path, "r") as fh:
        readers = []
        for f in features:
            where = f.path or f.name
            if "[" in where:
                raise InvalidInput(f"column {f.name!r} ({where}) is a pandas HDF5 table column: running a model on it "
                                   f"is not supported yet; store it as a plain dataset", path=table.source)
            dataset, _, field = where.partition(":")
            readers.append((f.name, fh[dataset], field or None))
        n = _rows(table, {name: int(ds.shape[0]) for name, ds, _ in readers})
        for start in range(0, n, rows):
            out: Batch = {}
            for name, ds, field in readers:
                part = ds[start:start + rows]
                out[name] = np.asarray(part[field] if field else part)
            yield out


def _npz(table: Table, features: list[SchemaFeature], rows: int) -> Iterator[Batch]:
    with np.load(table.path, allow_pickle=False) as fh:
        arrays = {f.name: fh[(f.path or f.name).removesuffix(".npy")] for f in features}
    n = _rows(table, {name: len(a) for name, a in arrays.items()})
    for start in range(0, n, rows):
        yield {name: a[start:start + rows] for name, a in arrays.items()}


def _rows(table: Table, lengths: dict[str, int]) -> int:
    """The common row count of the columns read; columns of different lengths are not one table."""
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k}: {v}" for k, v in lengths.items())
        raise InvalidInput(f"the columns read have different row counts ({shown}): they are not rows of one table",
                           path=table.source)
    return next(iter(lengths.values()))


def _dense(arr: Any, feature: SchemaFeature) -> Any:
    """A numpy array when the column has no variable-length axis, the awkward array otherwise."""
    import awkward as ak

    if None in feature.shape:
        return arr
    return np.asarray(ak.to_numpy(arr))
