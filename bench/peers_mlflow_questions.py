"""The questions asked of graphcat and of MLflow's registry, and their whole answers on each side.

Three questions, each in several variants drawn (seeded) from the catalog records:
1. "model": the versions of one model. MLflow: search_model_versions("name = 'x'"); graphcat's
   ModelVersionFilter has no model field, so `node(id: "model:x") { ... on Model { versions } }`.
2. "task+experiment": versions solving task X (or a subtask) trained on data of experiment Y.
   MLflow 3 search_model_versions takes tag filters: tags.`task.X` = 'true' AND
   tags.`experiment.Y` = 'true' (bench/peers_mlflow_registry.py writes those tags);
   graphcat: modelVersions(filter: {task, experiment}).
3. "name prefix": MLflow name LIKE 'jet-graph-%'; graphcat has no prefix filter, its
   modelVersions `text` filter (case-insensitive substring of the version id, descriptions, model
   name and tags) with the same text: the synthetic ids make both the same set (checked per run).
Timed calls ask for the first page of 100 on both sides; the answer check reads every page.
Deprecated versions are included on both sides (graphcat: includeDeprecated: true).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Callable

from bench.peers_mlflow_registry import ModelRecord

PAGE = 100
QUESTIONS = ("model", "task+experiment", "name prefix")

GQL_MODEL = "query Model($id: ID!) { node(id: $id) { ... on Model { versions { id } } } }"
GQL_FILTER = ("query Versions($filter: ModelVersionFilter!, $first: Int!, $after: String) { "
              "modelVersions(filter: $filter, first: $first, after: $after) { "
              "edges { node { id } } pageInfo { hasNextPage endCursor } } }")


@dataclass(frozen=True)
class Variant:
    question: str
    label: str
    graphql: str
    variables: dict[str, Any]  # without first / after
    mlflow_filter: str


def _gql_filter(**fields: Any) -> dict[str, Any]:
    return {"filter": {**fields, "includeDeprecated": True}}


def variants(models: list[ModelRecord], n: int, seed: int = 0) -> dict[str, list[Variant]]:
    """Up to `n` variants of each question, every one with a non-empty answer."""
    rng = random.Random(seed)
    out: dict[str, list[Variant]] = {}
    multi = [m for m in models if len(m.versions) > 1] or models
    out["model"] = [Variant("model", m.catalog_id, GQL_MODEL, {"id": f"model:{m.catalog_id}"},
                            f"name = '{m.catalog_id}'") for m in rng.sample(multi, min(n, len(multi)))]
    pairs = sorted({(t, e) for m in models for v in m.versions for t in v.tasks for e in v.experiments})
    out["task+experiment"] = [
        Variant("task+experiment", f"{t} + {e}", GQL_FILTER, _gql_filter(task=f"task:{t}", experiment=f"experiment:{e}"),
                f"tags.`task.{t}` = 'true' AND tags.`experiment.{e}` = 'true'")
        for t, e in rng.sample(pairs, min(n, len(pairs)))]
    prefixes = sorted({re.sub(r"\d+$", "", m.catalog_id) for m in models})
    out["name prefix"] = [Variant("name prefix", p, GQL_FILTER, _gql_filter(text=p), f"name LIKE '{p}%'")
                          for p in rng.sample(prefixes, min(n, len(prefixes)))]
    return out


def expected(models: list[ModelRecord], v: Variant) -> set[str]:
    """The answer computed from the records alone (the ground truth both sides must give)."""
    if v.question == "model":
        return {x.catalog_id for m in models if m.catalog_id == v.label for x in m.versions}
    if v.question == "task+experiment":
        task, _, experiment = v.label.partition(" + ")
        return {x.catalog_id for m in models for x in m.versions if task in x.tasks and experiment in x.experiments}
    return {x.catalog_id for m in models if m.catalog_id.startswith(v.label) for x in m.versions}


def _strip(uid: str) -> str:
    prefix = "model_version:"
    if not uid.startswith(prefix):
        raise ValueError(f"graphcat answered {uid!r}, not a model version uid")
    return uid[len(prefix):]


def post(client: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """One GraphQL request (httpx.Client or Starlette TestClient); errors raise, naming the query."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"graphcat answered errors to {query[:40]}...: {body['errors']}")
    return body["data"]


def graphcat_page(client: Any, v: Variant, first: int = PAGE, after: str | None = None) -> tuple[list[str], str | None]:
    """One page of graphcat's answer as catalog ids, and the cursor of the next page (None: last)."""
    if v.question == "model":
        node = post(client, v.graphql, v.variables)["node"]
        if node is None:
            raise RuntimeError(f"graphcat knows no model {v.variables['id']}")
        return [_strip(x["id"]) for x in node["versions"]], None
    data = post(client, v.graphql, {**v.variables, "first": first, "after": after})["modelVersions"]
    ids = [_strip(e["node"]["id"]) for e in data["edges"]]
    return ids, data["pageInfo"]["endCursor"] if data["pageInfo"]["hasNextPage"] else None


def graphcat_all(client: Any, v: Variant, first: int = PAGE) -> set[str]:
    out: set[str] = set()
    ids, cursor = graphcat_page(client, v, first)
    out.update(ids)
    while cursor is not None:
        ids, cursor = graphcat_page(client, v, first, cursor)
        out.update(ids)
    return out


def mlflow_page(client: Any, v: Variant, max_results: int = PAGE, token: str | None = None) -> tuple[list[str], str | None]:
    """One page of MLflow's answer (graphcat ids from the version's graphcat_id tag) and its next-page token."""
    found = client.search_model_versions(v.mlflow_filter, max_results=max_results, page_token=token)
    ids = []
    for mv in found:
        if "graphcat_id" not in mv.tags:
            raise RuntimeError(f"MLflow version {mv.name} v{mv.version} has no graphcat_id tag")
        ids.append(mv.tags["graphcat_id"])
    return ids, found.token or None


def mlflow_all(client: Any, v: Variant, max_results: int = 10_000) -> set[str]:
    out: set[str] = set()
    ids, token = mlflow_page(client, v, max_results)
    out.update(ids)
    while token is not None:
        ids, token = mlflow_page(client, v, max_results, token)
        out.update(ids)
    return out


def timed_calls(graphcat: Any, mlflow_sides: dict[str, Any]) -> dict[str, Callable[[Variant], list[str]]]:
    """Per side, the call the benchmark times: the first page of 100."""
    calls: dict[str, Callable[[Variant], list[str]]] = {"graphcat (HTTP)": lambda v: graphcat_page(graphcat, v)[0]}
    for label, client in mlflow_sides.items():
        calls[label] = lambda v, c=client: mlflow_page(c, v)[0]
    return calls
