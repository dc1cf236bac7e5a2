"""ROOT (uproot): the TTree (or RNTuple) with most entries, or the one named; metadata only.

Each leaf branch's awkward form gives dtype and shape: `Jet_pt[nJet]` and `std::vector<float>` are
variable-length lists (None,), `cells[3]`/`img[4][5]` fixed axes. A counter branch (`nJet`) is left
out only when it is the count of a jagged branch of the tree; an ordinary integer branch stays.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import awkward as ak
import uproot

from graphcat.errors import InvalidInput
from graphcat.userschema.dtypes import UnsupportedType, from_primitive
from graphcat.userschema.limits import Features
from graphcat.userschema.model import SchemaFeature

# What uproot raises on truncated or damaged files: its DeserializationError, OSError/EOFError on
# short reads, struct/zlib errors and ValueError/KeyError/IndexError from damaged headers.
_BROKEN = (
    uproot.DeserializationError, OSError, EOFError, struct.error, zlib.error, ValueError, KeyError, IndexError,
    TypeError, AssertionError, AttributeError, NotImplementedError,
    RecursionError,  # a corrupt streamer can loop uproot into recursion
)
_TREE_CLASSES = {"TTree", "ROOT::RNTuple", "ROOT::Experimental::RNTuple"}


def read_root(path: Path, out: Features, tree: str | None = None) -> int:
    try:
        with uproot.open(path, object_cache=None, array_cache=None) as fh:
            trees = {key: cls for key, cls in fh.classnames(cycle=False).items() if cls in _TREE_CLASSES}
            if not trees:
                raise InvalidInput("ROOT: the file holds no TTree or RNTuple", path=out.source)
            if tree is not None:
                if tree not in trees:
                    raise InvalidInput(
                        f"ROOT: no tree {tree!r} in the file; trees: {', '.join(sorted(trees))}", path=out.source
                    )
                chosen = tree
            else:
                entries = {key: int(fh[key].num_entries) for key in trees}
                chosen = max(sorted(entries), key=lambda k: entries[k])
            obj = fh[chosen]
            if trees[chosen] == "TTree":
                _tree(obj, chosen, out)
            else:
                form = obj.to_akform()
                form = form[0] if isinstance(form, tuple) else form  # uproot 5.7: (form, ...)
                for fname, content in zip(form.fields, form.contents):
                    _form(content, fname, f"{chosen}/{fname}", (), None, out)
            return int(obj.num_entries)
    except InvalidInput:
        raise
    except _BROKEN as exc:
        raise InvalidInput(f"ROOT: file is truncated or not ROOT ({type(exc).__name__}: {exc})", path=out.source) from exc


def _tree(tree: Any, tree_name: str, out: Features) -> None:
    leaves = [b for b in tree.itervalues(recursive=True) if not b.branches]
    out.check_count(len(leaves))
    counters = {id(b.count_branch) for b in leaves if getattr(b, "count_branch", None) is not None}
    counter_names = {b.count_branch.name for b in leaves if getattr(b, "count_branch", None) is not None}
    for branch in leaves:
        if id(branch) in counters or branch.name in counter_names:
            continue
        where = f"{tree_name}/{branch.name}"
        try:
            form = branch.interpretation.awkward_form(branch.file)
        except (uproot.interpretation.objects.CannotBeAwkward, NotImplementedError, uproot.UnknownInterpretation) as exc:
            out.skip(where, f"{branch.typename} cannot be described ({type(exc).__name__})")
            continue
        _form(form, branch.name, where, (), _description(branch), out)


def _form(form: ak.forms.Form, name: str, where: str, outer: tuple[int | None, ...], description: str | None,
          out: Features) -> None:
    shape = list(outer)
    while True:
        if form.parameters.get("__array__") in {"string", "bytestring"}:
            out.add(SchemaFeature(name, "string", tuple(shape), None, description, where))
            return
        if isinstance(form, (ak.forms.ListOffsetForm, ak.forms.ListForm)):
            shape.append(None)
            form = form.content
        elif isinstance(form, ak.forms.RegularForm):
            shape.append(form.size)
            form = form.content
        elif isinstance(form, (ak.forms.IndexedOptionForm, ak.forms.ByteMaskedForm, ak.forms.BitMaskedForm,
                               ak.forms.UnmaskedForm, ak.forms.IndexedForm)):
            form = form.content
        else:
            break
    if isinstance(form, ak.forms.RecordForm):
        for fname, content in zip(form.fields, form.contents):
            _form(content, f"{name}.{fname}", f"{where}.{fname}", tuple(shape), None, out)
        return
    if isinstance(form, ak.forms.NumpyForm):
        try:
            dtype = from_primitive(form.primitive)
        except UnsupportedType as exc:
            out.skip(where, str(exc))
            return
        out.add(SchemaFeature(name, dtype, tuple(shape) + tuple(form.inner_shape), None, description, where))
        return
    out.skip(where, f"awkward layout {type(form).__name__} cannot be described")


def _description(branch: Any) -> str | None:
    """The branch title when it says something (NanoAOD: "pt"), not a leaf list ("Jet_pt[nJet]/F")."""
    title = str(branch.title or "").strip()
    if not title or title == branch.name or title.startswith(branch.name + "[") or title.startswith(branch.name + "/"):
        return None
    return title
