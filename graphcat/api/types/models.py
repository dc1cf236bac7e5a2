"""Models and model versions as GraphQL types, with a version's hyper-parameters, reproducibility,
artifact and model lineage (the other catalog entities: catalog.py, which refers to these lazily).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from graphcat import domain
from graphcat.api.types.catalog import (TYPES, DatasetVersion, Evaluation, Feature, Info, Node, Owner, Publication,
                                        Task, base_fields, family_fields, links_of, neighbours_of, owner_of, publications_of)
from graphcat.api.types.deployment import Deployment
from graphcat.api.types.scalars import Long


@strawberry.type
class Model(Node):
    slug: str
    display: str
    name: str
    description: str | None
    tags: list[str]
    instance: strawberry.Private[domain.Model]

    @classmethod
    def from_domain(cls, n: domain.Model) -> "Model":
        return cls(**base_fields(n), name=n.name, description=n.description, tags=list(n.tags), instance=n)

    @strawberry.field(description="The model's versions, newest first (by version number, then creation date), each with its aliases.")
    async def versions(self, info: Info) -> list["ModelVersion"]:
        found = await info.context.loaders.versions.load(self.instance.uid)
        mine = [v for v in found if isinstance(v, domain.ModelVersion)]
        mine.sort(key=lambda v: domain.version_order_key(v.version, v.created_at), reverse=True)
        return [ModelVersion.from_domain(v) for v in mine]

    owner, publications, tasks = family_fields(["SOLVES"], "Tasks the model solves.")


@strawberry.type(description="Training hyper-parameters: the normalised keys, everything else in `extra`.")
class Hyperparameters:
    learning_rate: float | None
    batch_size: int | None
    epochs: int | None
    optimizer: str | None
    extra: JSON


@strawberry.type(description="What it takes to reproduce the training.")
class Reproducibility:
    code_repository: str | None
    commit: str | None
    environment: str | None
    training_config: str | None
    seed: int | None


@strawberry.type(description="The version's file: where it is, its sha256, and its size once graphcat stored it.")
class Artifact:
    uri: str | None
    sha256: str | None
    version_id: strawberry.Private[str]

    @strawberry.field(description="Bytes, known when the artifact went through the artifact store (register-onnx).")
    async def size_bytes(self, info: Info) -> Long | None:
        facts = await info.context.loaders.deployment.load(self.version_id)
        return facts.get("artifact_size_bytes") if facts else None


def artifact_of(n: domain.ModelVersion) -> Artifact:
    return Artifact(uri=n.artifact.uri, sha256=n.artifact.sha256, version_id=n.uid)


def hyperparameters_of(n: domain.ModelVersion) -> Hyperparameters:
    hp = n.hyperparameters
    return Hyperparameters(learning_rate=hp.learning_rate, batch_size=hp.batch_size, epochs=hp.epochs,
                           optimizer=hp.optimizer, extra=dict(hp.extra))


def reproducibility_of(n: domain.ModelVersion) -> Reproducibility:
    rp = n.reproducibility
    return Reproducibility(code_repository=rp.code_repository, commit=rp.commit, environment=rp.environment,
                           training_config=rp.training_config, seed=rp.seed)


@strawberry.type(description="A model-lineage link: this version was FINE_TUNED_FROM, DISTILLED_FROM, QUANTIZED_FROM "
                             "or CONVERTED_FROM `modelVersion`.")
class ModelLineageLink:
    type: str
    model_version: "ModelVersion"


@strawberry.type
class ModelVersion(Node):
    slug: str
    display: str
    version: str
    created_at: str | None
    description: str | None
    framework: str | None
    format: str | None
    license: str | None
    artifact_uri: str | None
    # Built when selected (a page or a hub's consumers are hundreds of versions; few ask for these).
    artifact: Artifact = strawberry.field(resolver=lambda self: artifact_of(self.instance))
    hyperparameters: Hyperparameters = strawberry.field(resolver=lambda self: hyperparameters_of(self.instance))
    reproducibility: Reproducibility = strawberry.field(resolver=lambda self: reproducibility_of(self.instance))
    aliases: list[str]
    deprecated: bool
    deprecation_reason: str | None
    instance: strawberry.Private[domain.ModelVersion]

    @classmethod
    def from_domain(cls, n: domain.ModelVersion) -> "ModelVersion":
        return cls(**base_fields(n), version=n.version, created_at=n.created_at, description=n.description,
                   framework=n.framework, format=n.format, license=n.license, artifact_uri=n.artifact.uri,
                   aliases=list(n.aliases), deprecated=n.deprecated, deprecation_reason=n.deprecated_reason,
                   instance=n)

    async def _neighbourhood(self, info: Info) -> Any:
        return await info.context.loaders.neighbourhood.load(self.instance.uid)

    @strawberry.field
    async def model(self, info: Info) -> Model | None:
        hood = await self._neighbourhood(info)
        return Model.from_domain(hood.model) if hood else None

    @strawberry.field(description="Tasks the model solves.")
    async def tasks(self, info: Info) -> list[Task]:
        hood = await self._neighbourhood(info)
        return [Task.from_domain(t) for t in hood.tasks] if hood else []

    @strawberry.field(description="Dataset versions this version was trained on (TRAINED_ON).")
    async def datasets(self, info: Info) -> list[DatasetVersion]:
        hood = await self._neighbourhood(info)
        return [DatasetVersion.from_domain(d) for d in hood.trained_on] if hood else []

    @strawberry.field
    async def evaluations(self, info: Info) -> list[Evaluation]:
        hood = await self._neighbourhood(info)
        return [Evaluation.from_domain(e) for e in hood.evaluations] if hood else []

    @strawberry.field(description="The inputs the model consumes, in order.")
    async def inputs(self, info: Info) -> list[Feature]:
        return sorted(await neighbours_of(info, self.instance.uid, ["HAS_INPUT"], domain.Feature), key=lambda f: f.position)

    @strawberry.field(description="The outputs the model produces, in order.")
    async def outputs(self, info: Info) -> list[Feature]:
        return sorted(await neighbours_of(info, self.instance.uid, ["HAS_OUTPUT"], domain.Feature), key=lambda f: f.position)

    @strawberry.field(description="The model's owner (a person or team).")
    async def owner(self, info: Info) -> Owner | None:
        return await owner_of(info, self.instance.model_uid)

    @strawberry.field(description="Publications describing the model.")
    async def publications(self, info: Info) -> list[Publication]:
        return await publications_of(info, self.instance.model_uid)

    @strawberry.field(description="The versions this one was fine-tuned, distilled, quantised or converted from.")
    async def lineage_from(self, info: Info) -> list[ModelLineageLink]:
        return [ModelLineageLink(type=rel, model_version=ModelVersion.from_domain(n))
                for rel, _, n in await links_of(info, self.instance.uid, domain.MODEL_LINEAGE_TYPES)
                if isinstance(n, domain.ModelVersion)]

    @strawberry.field(description="Versions fine-tuned, distilled, quantised or converted from this one.")
    async def lineage_to(self, info: Info) -> list[ModelLineageLink]:
        return [ModelLineageLink(type=rel, model_version=ModelVersion.from_domain(n))
                for rel, _, n in await links_of(info, self.instance.uid, domain.MODEL_LINEAGE_TYPES, outgoing=False)
                if isinstance(n, domain.ModelVersion)]

    @strawberry.field(description="Deployment facts: ONNX facts, smoke tests, latency benchmarks, quantisation.")
    async def deployment(self, info: Info) -> Deployment | None:
        facts = await info.context.loaders.deployment.load(self.instance.uid)
        return Deployment.from_row(facts) if facts else None


TYPES.update({domain.Model: Model, domain.ModelVersion: ModelVersion})
ALL_TYPES = list(TYPES.values())
