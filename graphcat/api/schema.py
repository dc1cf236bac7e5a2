"""The GraphQL schema: its root types, which role each mutation needs, and its extensions."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from graphcat.api.auth import Role
from graphcat.api import evaluation as evaluation_api
from graphcat.api import lineage_links
from graphcat.api import monitoring as monitoring_api
from graphcat.api import onnx_upload
from graphcat.api import recommend as recommend_api
from graphcat.api import search as search_api
from graphcat.api import transferability as transfer_api
from graphcat.api.documents import CachedDocuments, Documents
from graphcat.api.error_policy import ErrorPolicy
from graphcat.api.limits import limit_extensions
from graphcat.api.types import audit, browse, catalog, deployment, reads, sync, tokens, writes
from graphcat.api.types import models as model_types
from graphcat.settings import Settings

# The role each mutation needs; graphcat.api.graphql_app checks it before anything executes
# (mutations missing here need WRITER).
MUTATION_ROLES: dict[str, Role] = {
    "createApiToken": Role.ADMIN,
    "revokeApiToken": Role.ADMIN,
    "deprecate": Role.ADMIN,
}


@strawberry.type(description="Reads: open to everyone unless GRAPHCAT_READS_REQUIRE_TOKEN is set.")
class Query:
    viewer: tokens.Viewer = strawberry.field(resolver=tokens.viewer, description="Who the bearer token says the caller is.")
    node: catalog.Node | None = strawberry.field(resolver=reads.node, description="Any entity by global id (Relay).")
    nodes: list[catalog.Node | None] = strawberry.field(resolver=reads.nodes, description="Entities by global ids.")
    model_versions: reads.ModelVersionConnection = strawberry.field(
        resolver=reads.model_versions, description="Model versions matching `filter`, sorted, a page at a time."
    )
    dataset_versions: reads.DatasetVersionConnection = strawberry.field(
        resolver=reads.dataset_versions,
        description="Dataset versions matching `filter` (run conditions, experiment, detector, task), a page at a time.",
    )
    models: browse.Connection[model_types.Model] = strawberry.field(
        resolver=browse.models,
        description="Models (families), by id; filter by task (subtasks too), owner, experiment, framework, training "
                    "data type, latency budget (maxP99Ms) or alias (alias, hasAlias: the models in use).")
    model_facets: browse.ModelFacets = strawberry.field(
        resolver=browse.model_facets,
        description="The model list's facet counts (task, experiment, framework, dataType, alias, maxP99Ms), each "
                    "narrowed by the other filters of `filter` (as on the Hugging Face Hub); one query.")
    datasets: browse.Connection[catalog.Dataset] = strawberry.field(
        resolver=browse.datasets,
        description="Datasets (families), by id; filter by task (subtasks too), owner or experiment.")
    experiments: browse.Connection[catalog.Experiment] = strawberry.field(
        resolver=browse.experiments, description="Experiments, by id.")
    detectors: browse.Connection[catalog.Detector] = strawberry.field(
        resolver=browse.detectors, description="Detectors, by id.")
    tasks: browse.Connection[catalog.Task] = strawberry.field(
        resolver=browse.tasks, description="Tasks, by id; `rootsOnly` gives the tree's roots (walk down with `subtasks`).")
    owners: browse.Connection[catalog.Owner] = strawberry.field(
        resolver=browse.owners, description="People and teams owning models or datasets, by id.")
    publications: browse.Connection[catalog.Publication] = strawberry.field(
        resolver=browse.publications, description="Publications, by id.")
    hardware: browse.Connection[deployment.Hardware] = strawberry.field(
        resolver=browse.hardware, description="Machines benchmarks ran on, by id.")
    evaluations: browse.Connection[catalog.Evaluation] = strawberry.field(
        resolver=browse.evaluations,
        description="Evaluations, by id; filter by model version, dataset version, dataset (any version) or metric.")
    catalog_summary: browse.CatalogSummary = strawberry.field(
        resolver=browse.catalog_summary, description="Counts per kind, task, experiment, framework and alias (a few cheap reads).")
    lineage: reads.LineageGraph = strawberry.field(
        resolver=reads.lineage_of,
        description="What a node depends on (UPSTREAM), what depends on it (DOWNSTREAM) or both, up to `depth` hops.",
    )
    path: reads.LineageGraph = strawberry.field(
        resolver=reads.path_between, description="The shortest lineage path between two nodes (empty when none)."
    )
    impact: reads.Impact = strawberry.field(
        resolver=reads.impact_of, description="Everything downstream of a node: datasets, model versions, evaluations."
    )
    fast_models: list[deployment.FastModel] = strawberry.field(
        resolver=deployment.fast_models,
        description="Model versions (for `task` and its subtasks) whose newest CPU benchmark at `batch` has p99 <= `maxP99Ms`, fastest first.",
    )
    history: audit.ChangeConnection = strawberry.field(
        resolver=audit.history, description="The audit trail of any entity (by uid), newest first; append-only.")
    changes: audit.ChangeConnection = strawberry.field(
        resolver=audit.changes,
        description="Every recorded change, newest first: since an ISO 8601 time, by an actor (subject or API token id), "
                    "of an entity.")
    sync_document: sync.SyncDocument = strawberry.field(
        resolver=sync.sync_document,
        description="Entities (uids) as a catalog document, with everything they reference: what a peer's "
                    "`graphcat sync` pulls.")
    origin: sync.Origin | None = strawberry.field(
        resolver=sync.origin, description="Where an entity (by uid) came from: this site or a peer (provenance).")
    sync_peers: list[sync.SyncPeer] = strawberry.field(
        resolver=sync.sync_peers, description="The peer sites this catalog syncs from, with their cursors.")
    search: search_api.SearchResult = strawberry.field(
        resolver=search_api.search, description="The search box: catalog entities whose text contains `text`, best first, with facet counts."
    )
    recommend_models: recommend_api.RecommendModelsResult = strawberry.field(
        resolver=recommend_api.recommend_models,
        description="Model versions that can consume your data (a column list, or a file uploaded with the GraphQL "
                    "multipart request spec), best first, each with its column mapping.",
    )
    transferability: transfer_api.Transferability = strawberry.field(
        resolver=transfer_api.transferability,
        description="Expected `metric` of a model version on a dataset version, estimated from its evaluations elsewhere, with evidence.",
    )
    models_for_dataset: list[transfer_api.Transferability] = strawberry.field(
        resolver=transfer_api.models_for_dataset,
        description="Model versions for a dataset version ranked by expected `metric` (measured or estimated); no evidence last.",
    )
    evaluation_job: evaluation_api.EvaluationJobResult = strawberry.field(
        resolver=evaluation_api.evaluation_job,
        description="An evaluation job started by evaluateOnData (state, progress, result or error); only for the "
                    "token that started it, in the API process that runs it.",
    )
    leaderboard: evaluation_api.Leaderboard = strawberry.field(
        resolver=evaluation_api.leaderboard,
        description="Model versions by `metric` on a dataset version, best first: measured by graphcat (with a "
                    "bootstrap interval), reported, or estimated (transferability), each marked.",
    )
    metric_history: list[monitoring_api.MetricSeries] = strawberry.field(
        resolver=monitoring_api.metric_history,
        description="A model version's (or the one carrying `alias`, MODEL@ALIAS) values of `metric` (null: every metric), "
                    "one series per dataset and metric (optionally one `dataset`), each point one dataset version, oldest first.",
    )
    alerts: monitoring_api.MonitorAlerts = strawberry.field(
        resolver=monitoring_api.alerts,
        description="Monitored series (every version carrying an alias, per dataset and metric) whose newest value "
                    "is outside the expected band (a configured threshold, else the recorded transferability interval).",
    )


@strawberry.type(description="Writes: every mutation needs a bearer API token of role writer, or admin where its description says so.")
class Mutation:
    create_api_token: tokens.CreateApiTokenResult = strawberry.mutation(
        resolver=tokens.create_api_token, description="Create an API token (admin). The secret is returned once."
    )
    revoke_api_token: tokens.RevokeApiTokenResult = strawberry.mutation(
        resolver=tokens.revoke_api_token, description="Revoke an API token (admin); it stops working at once."
    )
    register_model_version: writes.RegisterModelVersionResult = strawberry.mutation(
        resolver=writes.register_model_version,
        description="Register a model version with its lineage (trainedOn, lineage links). Idempotent; versions are immutable.",
    )
    register_dataset_version: writes.RegisterDatasetVersionResult = strawberry.mutation(
        resolver=writes.register_dataset_version, description="Register a dataset version. Idempotent; immutable."
    )
    register_experiment: writes.RegisterExperimentResult = strawberry.mutation(resolver=writes.register_experiment)
    register_detector: writes.RegisterDetectorResult = strawberry.mutation(resolver=writes.register_detector)
    record_evaluation: writes.RecordEvaluationResult = strawberry.mutation(
        resolver=writes.record_evaluation, description="Record (or restate) a metric of a model version on a dataset version."
    )
    set_alias: writes.ModelVersionResult = strawberry.mutation(
        resolver=writes.set_alias, description="Give a version an alias (e.g. production), moving it from the model's other versions."
    )
    deprecate: writes.ModelVersionResult = strawberry.mutation(
        resolver=writes.deprecate, description="Deprecate a model version with a reason (admin)."
    )
    link_lineage: lineage_links.LinkLineageResult = strawberry.mutation(
        resolver=lineage_links.link_lineage,
        description="Record lineage found after registration: `from` was made from `to` (model versions, or "
                    "DERIVED_FROM between dataset versions). Idempotent; a link closing a cycle is refused.",
    )
    register_onnx_model: onnx_upload.RegisterOnnxModelResult = strawberry.mutation(
        resolver=onnx_upload.register_onnx_model,
        description="Register an ONNX file uploaded with the GraphQL multipart request spec as `model`@`version`: "
                    "checked, stored, smoke-tested, optionally benchmarked and int8-quantised (a linked new version).",
    )
    evaluate_on_data: evaluation_api.EvaluateOnDataResult = strawberry.mutation(
        resolver=evaluation_api.evaluate_on_data,
        description="Run a model version's ONNX artifact on a file (upload) or a dataset version and measure `metrics` "
                    "against the `label` column; `record: true` also stores them as Evaluations. Runs in a worker "
                    "process: the result when it ends within `wait` seconds, else the job to poll (evaluationJob).",
    )
    cancel_evaluation: evaluation_api.EvaluationJobResult = strawberry.mutation(
        resolver=evaluation_api.cancel_evaluation,
        description="Cancel an evaluation job (its worker is stopped; nothing is recorded).",
    )
    set_monitor_threshold: monitoring_api.SetMonitorThresholdResult = strawberry.mutation(
        resolver=monitoring_api.set_monitor_threshold,
        description="Configure the expected band (min and/or max) of `metric` for the version of a model carrying "
                    "an alias (MODEL@ALIAS); it follows the alias when it moves.",
    )
    delete_monitor_threshold: bool = strawberry.mutation(
        resolver=monitoring_api.delete_monitor_threshold,
        description="Remove a configured band (true when there was one).",
    )


class GraphcatSchema(strawberry.Schema):
    documents: Documents  # parse trees and validation errors of recent documents (graphcat.api.documents)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # strawberry logs every error here; graphcat.api.error_policy logs the unexpected ones
        # with the request id and leaves the client's own (validation, typed errors) unlogged.
        return None


def build_schema(settings: Settings) -> GraphcatSchema:
    documents = Documents()
    extensions: list[Any] = [*limit_extensions(settings), lambda: CachedDocuments(documents), ErrorPolicy]
    schema = GraphcatSchema(query=Query, mutation=Mutation, extensions=extensions, types=model_types.ALL_TYPES)
    schema.documents = documents
    return schema
