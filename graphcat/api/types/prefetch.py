"""`node(id:)` and the one neighbour list its selection asks for, in one query.

`node(id: "dataset_version:...") { ... on DatasetVersion { trainedModels { id } } }` (a dataset
version's consumers) was two sequential round trips: the node through the `node` loader, then its
TRAINED_ON neighbours through `links`. A catalog uid names its kind, so the node's GraphQL type is
known before it is read: when the selection asks for exactly one of the LISTS fields of that type,
the node and that list (only the stored keys the list's selection reads) come from one query,
graphql/node_with_links, and prime both loaders; the list's resolver then finds its links under
the very key it computes (the same selection.keys_of of the same selection). Anything else, or a
key that comes out differently at resolve time, takes the ordinary path: never a different answer.
"""

from __future__ import annotations

from typing import Any, Sequence

from graphcat import domain
from graphcat.api.loaders import LinkKey, link_key
from graphcat.api.types.selection import keys_of, subfields

# GraphQL type -> list field -> (relationship types, outgoing, the listed domain class and its
# GraphQL type). The resolvers of these fields (catalog.py, list_of) read them from here too.
LISTS: dict[str, dict[str, tuple[Sequence[str], bool, type[domain.Node], str]]] = {
    "DatasetVersion": {"trainedModels": (("TRAINED_ON",), False, domain.ModelVersion, "ModelVersion"),
                       "evaluations": (("EVALUATED_ON",), False, domain.Evaluation, "Evaluation")},
    "Detector": {"datasetVersions": (("RECORDED_WITH", "SIMULATED_WITH"), False, domain.DatasetVersion,
                                     "DatasetVersion")},
    "Task": {"models": (("SOLVES",), False, domain.Model, "Model")},
}


def type_of_uid(uid: str) -> str:
    """The GraphQL type a catalog uid names: `dataset_version:x@1` -> DatasetVersion."""
    return "".join(part.title() for part in uid.partition(":")[0].split("_"))


def fused_key(info: Any, uid: str) -> LinkKey | None:
    """The `links` key of the one LISTS field the current `node` selection asks for (once: no
    alias or second fragment of it), with the stored keys its selection reads; None when there is
    no such single field or its keys are unknown (whole nodes: the ordinary path)."""
    lists = LISTS.get(type_of_uid(uid))
    if not lists:
        return None
    asked = [sub for field in info.selected_fields for sub in subfields(field) if sub.name in lists]
    if len(asked) != 1:
        return None
    types, outgoing, _, type_name = lists[asked[0].name]
    keys = keys_of(asked, type_name)
    return link_key(uid, types, outgoing=outgoing, keys=keys) if keys is not None else None
