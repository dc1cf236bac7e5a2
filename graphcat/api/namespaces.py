"""Per-namespace write rights: which experiment or owner namespaces a mutation writes into.

A caller whose role is global (every API token, an OIDC user in /writers or /admins) passes
graphcat.api.graphql_app's role check alone. A caller whose role comes from namespaces only
(writer@cms) passes only when every root mutation field it runs writes into a namespace where it
holds the role the mutation needs (graphcat.api.auth.require_in), checked before anything executes:

- an existing entity belongs to its owner's and its experiments' namespaces (cypher/auth/namespaces);
- a new model or dataset version of a family not in the catalog yet belongs to the namespaces of
  what it refers to (trainedOn, lineage, simulatedWith/recordedWith);
- registerExperiment writes into the experiment's own id; registerDetector into its experiment's.

Mutations not listed in TARGETS (API tokens) need the role globally.

Private namespaces (GRAPHCAT_PRIVATE_NAMESPACES): `hidden_for` gives, for a query, the uids of the
entities in private namespaces the caller is no member of (a member holds any role in the
namespace; a global admin is a member of all; anyone else, API tokens of role reader or writer
and anonymous callers included, of none), which graphcat.store.visibility keeps out of every read.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from graphql import FieldNode, GraphQLError, GraphQLSchema, OperationDefinitionNode
from graphql.execution.values import get_argument_values, get_variable_values

from graphcat import domain
from graphcat.api.auth import Principal, Role, require_in
from graphcat.errors import Forbidden
from graphcat.store import namespaces as store_namespaces
from graphcat.store import visibility
from graphcat.store.database import Database


def _uid(value: Any, kind: str) -> str:
    text = str(value)
    return text if text.startswith(f"{kind}:") else domain.uid(kind, text)


# A target: (uids whose namespaces count, uids to fall back on when the first are all new,
#            namespaces named outright).
Target = tuple[list[str], list[str], list[str]]


def _model_version(args: Mapping[str, Any]) -> Target:
    i = args["input"]
    refs = [_uid(d, "dataset_version") for d in i.get("trainedOn") or []]
    refs += [_uid(link["from"], "model_version") for link in i.get("lineage") or []]
    return [_uid(i["model"], "model")], refs, []


def _dataset_version(args: Mapping[str, Any]) -> Target:
    i = args["input"]
    refs = [_uid(d, "detector") for d in (i.get("simulatedWith") or []) + (i.get("recordedWith") or [])]
    return [_uid(i["dataset"], "dataset")], refs, []


def _experiment_id(value: Any) -> str:
    return str(value).removeprefix("experiment:")


TARGETS: dict[str, Callable[[Mapping[str, Any]], Target]] = {
    "registerModelVersion": _model_version,
    "registerDatasetVersion": _dataset_version,
    "registerExperiment": lambda a: ([], [], [_experiment_id(a["input"]["id"])]),
    "registerDetector": lambda a: ([], [], [_experiment_id(a["input"]["experiment"])]),
    "recordEvaluation": lambda a: ([_uid(a["input"]["modelVersion"], "model_version")], [], []),
    "setAlias": lambda a: ([_uid(a["modelVersion"], "model_version")], [], []),
    "deprecate": lambda a: ([_uid(a["modelVersion"], "model_version")], [], []),
    "linkLineage": lambda a: ([str(a["from"])], [], []),
    "registerOnnxModel": lambda a: ([_uid(a["model"], "model")], [], []),
}


def check(db: Database, schema: GraphQLSchema, principal: Principal, operation: OperationDefinitionNode,
          fields: list[FieldNode], variables: Mapping[str, Any] | None, roles: Mapping[str, Role]) -> None:
    """Forbidden unless `principal` may run each root mutation field in its namespaces."""
    mutation_type = schema.mutation_type
    assert mutation_type is not None
    if principal.role >= max((roles.get(f.name.value, Role.WRITER) for f in fields), default=Role.WRITER):
        return  # a global role: nothing to look up
    values = get_variable_values(schema, operation.variable_definitions or (), dict(variables or {}))
    if isinstance(values, list):
        raise Forbidden("the mutation's variables do not say which namespace it writes into: "
                        + "; ".join(e.message for e in values))
    for node in fields:
        name = node.name.value
        needed = roles.get(name, Role.WRITER)
        if principal.role >= needed:
            continue
        target = TARGETS.get(name)
        field_def = mutation_type.fields.get(name)
        if target is None or field_def is None:
            require_in(principal, needed, [], name)
            continue
        try:
            args = get_argument_values(field_def, node, values)
        except GraphQLError as exc:
            raise Forbidden(f"{name}: its arguments do not say which namespace it writes into ({exc.message})") from exc
        uids, fallback, named = target(args)
        found = store_namespaces.of(db, uids + fallback) if uids or fallback else {}
        spaces = sorted({ns for u in uids for ns in (found.get(u) or [])})
        if not spaces:
            spaces = sorted({ns for u in fallback for ns in (found.get(u) or [])})
        require_in(principal, needed, sorted(set(spaces) | set(named)), name)


def invisible(principal: Principal | None, private: list[str]) -> list[str]:
    """The private namespaces `principal` is no member of."""
    if principal is not None and principal.role >= Role.ADMIN:
        return []
    held = principal.namespace_roles if principal is not None else {}
    return [ns for ns in private if ns not in held]


def hidden_for(db: Database, principal: Principal | None, private: list[str]) -> list[str]:
    """The uids a query of `principal` must not see (cypher/auth/hidden)."""
    return visibility.hidden_uids(db, invisible(principal, private))
