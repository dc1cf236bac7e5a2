"""`registerOnnxModel(file: Upload!, model, version, ...)`: register an uploaded ONNX file.

The GraphQL twin of `graphcat register-onnx`: the file arrives with the GraphQL multipart request
spec and goes through graphcat.service.deploy.register_onnx_upload (onnx checker, artifact store,
smoke test, optional benchmark and int8 quantisation, catalog entry). The answer is the registered
ModelVersion (its `deployment` holds the measurements) or a typed error whose `field` names a
mutation argument: a file the checker refuses is an InvalidInputError on `file`.
"""

from __future__ import annotations

import re
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.file_uploads import Upload

from graphcat.api.uploads import read_upload
from graphcat.api.types.catalog import Info
from graphcat.api.types.models import ModelVersion
from graphcat.api.types.errors import ConflictError, InvalidInputError, UserError, as_result
from graphcat.catalog.files import CatalogInvalid
from graphcat.errors import Conflict, InvalidInput
from graphcat.service import catalog, deploy, vector_index
from graphcat.userschema.limits import check_size

RegisterOnnxModelResult = Annotated[
    ModelVersion | InvalidInputError | ConflictError, strawberry.union("RegisterOnnxModelResult")
]

# How the importer words a version registered again with different content.
_IMMUTABLE = "already registered with different content (immutable)"

# Catalog problems come back as "register-onnx <file>: models[0].versions[0].license: ..."; the
# caller knows these as the mutation's arguments.
_CATALOG_FIELDS = (
    (re.compile(r"models\[0\]\.versions\[\d+\](?:\.version)?$"), "version"),
    (re.compile(r"models\[0\]\.versions\[\d+\]\.license\b"), "license"),
    (re.compile(r"models\[0\]\.versions\[\d+\]\.description\b"), "description"),
    (re.compile(r"models\[0\]\.tasks\b"), "task"),
    (re.compile(r"models\[0\]\.name\b"), "name"),
    (re.compile(r"models\[0\]\.versions\[\d+\]\.(?:inputs|outputs)\b"), "file"),
    (re.compile(r"models\[0\](?:\.id)?$"), "model"),
)


def _argument(exc: InvalidInput) -> str:
    """The mutation argument an InvalidInput from the service is about."""
    path = exc.path or ""
    if path.startswith("register-onnx "):
        rest = path.partition(": ")[2]
        for pattern, name in _CATALOG_FIELDS:
            if pattern.search(rest):
                return name
        return "model"
    # Everything else the service raises names the (temporary) ONNX file itself.
    return "file"


def _readable(exc: InvalidInput, filename: str) -> str:
    """The message with the server's temporary path replaced by the uploaded file's name."""
    path = exc.path or ""
    if path.startswith("register-onnx "):
        return exc.message
    where = path.partition(": ")[2]  # e.g. "input 'x'" for a bad tensor type
    return f"{filename}: {where + ': ' if where else ''}{exc.message}"


async def register_onnx_model(
    info: Info,
    file: Upload,
    model: str,
    version: str,
    task: str | None = None,
    name: str | None = None,
    description: str | None = None,
    license: str | None = None,
    benchmark: bool = False,
    quantize: bool = False,
) -> RegisterOnnxModelResult:
    settings = info.context.settings
    db = info.context.db
    filename = getattr(file, "filename", None) or "model.onnx"

    async def work() -> ModelVersion:
        data = await read_upload(file, settings)
        try:
            check_size(filename, len(data), settings)
            registration = await run_in_threadpool(
                lambda: deploy.register_onnx_upload(
                    db, settings, data, filename, model_id=model, version=version, task=task, name=name,
                    description=description, license=license, benchmark=benchmark, quantize_int8=quantize,
                    actor=info.context.actor))
        except CatalogInvalid as exc:
            # Versions are immutable: the same model@version with another file is a clash with the
            # catalog (ConflictError, as its description says), not a malformed argument.
            if any(_IMMUTABLE in p.message for p in exc.problems):
                raise Conflict(exc.message, path="version") from exc
            raise InvalidInput(_readable(exc, filename), path=_argument(exc)) from exc
        except InvalidInput as exc:
            raise InvalidInput(_readable(exc, filename), path=_argument(exc)) from exc
        # register_onnx writes through the importer directly; keep the recommender's index in step
        # the way every other catalog mutation does (a no-op while no index is loaded or saved).
        await run_in_threadpool(vector_index.after_write, db)
        found = await run_in_threadpool(catalog.get_by_uid, db, registration.version_uid)
        return ModelVersion.from_domain(found)  # type: ignore[arg-type]

    result: ModelVersion | UserError = await as_result(work)
    return result  # type: ignore[return-value]
