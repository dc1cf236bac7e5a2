"""`evaluateOnData(modelVersion, file | dataset, label, metrics, record, wait)`, `evaluationJob(id)`,
`cancelEvaluation(id)` and `leaderboard(dataset, metric, first, after, framework, maxLatencyMs, hardware)`.

evaluateOnData runs as a job in a worker process (graphcat.evaluation.jobs): it answers the result
when the job ends within `wait` seconds (GRAPHCAT_EVALUATION_WAIT_S by default), else the job, which
the caller polls with `evaluationJob(id)` (only with the token that started it) or cancels.

Wraps graphcat.evaluation.service. evaluateOnData is a mutation and, like every mutation, needs a
writer token (it runs a model on the server: not for anonymous readers); with `record: false` it
writes nothing. The file arrives with the GraphQL multipart request spec, or `dataset` names a
dataset version whose `location` is a local file.
Bad input (unknown model version, no ONNX artifact, missing label, an input the file cannot feed,
an unknown metric, NaN in an input) comes back as a typed error with its code; nothing is written.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.file_uploads import Upload

from graphcat.api.context import RequestContext
from graphcat.api.types.about import FileAboutInput, about_dict
from graphcat.api.types.errors import InvalidInputError, NotFoundError, UserError, as_result
from graphcat.api.types.reads import PageInfo
from graphcat.api.uploads import save_upload
from graphcat.errors import InvalidInput
from graphcat.evaluation import jobs, service
from graphcat.service import catalog as catalog_service

Info = strawberry.Info[RequestContext, None]


@strawberry.type(description="One measured metric, its 95% bootstrap interval, and the transferability estimate "
                             "for the pair when the catalog has one (gap = measured - estimated).")
class MeasuredMetric:
    metric: str
    value: float
    low: float
    high: float
    estimate_status: str | None
    estimate: float | None
    estimate_low: float | None
    estimate_high: float | None
    gap: float | None


@strawberry.type(description="How one model input was built from the file's columns.")
class InputMapping:
    input: str
    expression: str


@strawberry.type(description="A model version run on a file: metrics, the mapping used, and whether it was recorded.")
class EvaluationOnData:
    model_version: strawberry.ID
    source: str
    format: str
    rows: int
    sha256: str
    label: str
    metrics: list[MeasuredMetric]
    mapping: list[InputMapping]
    steps: list[str]
    graphcat_version: str
    seconds: float
    dataset_version: strawberry.ID | None = strawberry.field(
        description="The dataset version the file is (given, found by its sha256, or created by `record`).")
    recorded: bool
    evaluations: list[strawberry.ID]

    @classmethod
    def from_domain(cls, r: service.Result) -> "EvaluationOnData":
        m = r.measurement
        return cls(model_version=strawberry.ID(m.model_version_uid), source=m.source, format=m.format, rows=m.rows,
                   sha256=m.sha256, label=m.label, graphcat_version=m.graphcat_version, seconds=round(m.seconds, 4),
                   metrics=[MeasuredMetric(metric=c.metric, value=c.value, low=c.low, high=c.high,
                                           estimate_status=c.estimate_status, estimate=c.estimate,
                                           estimate_low=c.estimate_low, estimate_high=c.estimate_high, gap=c.gap)
                            for c in r.checked],
                   mapping=[InputMapping(input=k, expression=v) for k, v in m.mapping.items()], steps=list(m.steps),
                   dataset_version=strawberry.ID(r.dataset_version_uid) if r.dataset_version_uid else None,
                   recorded=r.recorded, evaluations=[strawberry.ID(u) for u in r.evaluation_uids])


@strawberry.enum(description="Where an evaluation job is: queued (waiting for a worker), running (in its worker "
                             "process), recording (checking the estimate, writing), or finished.")
class EvaluationJobState(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    RECORDING = "recording"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.type(description="Why a job failed: the typed error's code (TIME_LIMIT, CANCELLED, BAD_LABEL...), "
                             "its message and the argument or input it is about.")
class EvaluationJobError:
    code: str
    message: str
    field: str | None


@strawberry.type(description="An evaluation running in a worker process: poll `evaluationJob(id)` until the state is "
                             "final; `result` or `error` then says how it ended.")
class EvaluationJob:
    id: strawberry.ID
    state: EvaluationJobState
    model_version: strawberry.ID
    source: str
    rows_done: int
    rows_total: int | None = strawberry.field(description="Rows in the file, when its format says so up front.")
    seconds: float
    worker_peak_rss_bytes: int | None = strawberry.field(description="Peak resident memory of the worker process.")
    result: EvaluationOnData | None
    error: EvaluationJobError | None

    @classmethod
    def from_job(cls, job: jobs.Job) -> "EvaluationJob":
        e = job.error
        return cls(id=strawberry.ID(job.id), state=EvaluationJobState(job.state),
                   model_version=strawberry.ID(job.spec.model_version_uid),
                   source=job.spec.source or job.spec.path.name, rows_done=job.rows_done, rows_total=job.rows_total,
                   seconds=round(job.seconds, 3), worker_peak_rss_bytes=job.worker_peak_rss_bytes,
                   result=EvaluationOnData.from_domain(job.result) if job.result is not None else None,
                   error=EvaluationJobError(code=e.code, message=e.message, field=e.path) if e is not None else None)


EvaluateOnDataResult = Annotated[EvaluationOnData | EvaluationJob | InvalidInputError | NotFoundError,
                                 strawberry.union("EvaluateOnDataResult")]
EvaluationJobResult = Annotated[EvaluationJob | InvalidInputError | NotFoundError,
                                strawberry.union("EvaluationJobResult")]


def job_queue(app: Any) -> jobs.Jobs:
    """The app's evaluation jobs (made in graphcat.api.app's lifespan, or here for an app without one)."""
    queue = getattr(app.state, "evaluation_jobs", None)
    if queue is None:
        queue = app.state.evaluation_jobs = jobs.Jobs(app.state.settings)
    return queue  # type: ignore[no-any-return]


def _owner(ctx: RequestContext) -> str:
    """Who may read and cancel a job: the API token that started it (an OIDC login: its subject)."""
    actor = ctx.actor
    return f"token:{actor.token_id}" if actor.token_id else f"subject:{actor.subject}"


def _dataset_file(db: Any, dataset: str) -> Path:
    node = catalog_service.get_by_uid(db, dataset)
    location = getattr(node, "location", None)
    if not location:
        raise InvalidInput(f"dataset version {dataset} records no location to read; upload the file", path="dataset")
    parts = urlsplit(location)
    path = Path(unquote(parts.path)) if parts.scheme == "file" else Path(location)
    if parts.scheme not in ("", "file") or not path.is_file():
        raise InvalidInput(f"dataset version {dataset} is at {location}, not a file this server can read; "
                           f"upload the file", path="dataset")
    return path


async def evaluate_on_data(info: Info, model_version: strawberry.ID, label: str, file: Upload | None = None,
                           dataset: strawberry.ID | None = None, metrics: list[str] | None = None,
                           record: bool = False, wait: float | None = None,
                           about: FileAboutInput | None = None) -> EvaluateOnDataResult:
    ctx = info.context
    db, settings = ctx.db, ctx.settings
    bound = settings.evaluation_wait_s if wait is None else wait

    async def work() -> EvaluationOnData | EvaluationJob:
        if (file is None) == (dataset is None):
            raise InvalidInput("give exactly one of file (an upload) or dataset (a dataset version id)", path="file")
        if wait is not None and not 0 <= wait <= settings.evaluation_time_limit_s:
            raise InvalidInput(f"wait must be between 0 and {settings.evaluation_time_limit_s:g} seconds "
                               f"(GRAPHCAT_EVALUATION_TIME_LIMIT_S), got {wait:g}", path="wait")
        queue = job_queue(ctx.request.app)
        encoder = getattr(ctx.request.app.state, "encoder", None)
        common = dict(model_version_uid=str(model_version), label=label, metrics=metrics or None, record=record,
                      dataset=str(dataset) if dataset is not None else None, owner=_owner(ctx),
                      about=about_dict(about))
        if file is None:
            path = await run_in_threadpool(_dataset_file, db, str(dataset))
            spec = jobs.Spec(path=path, **common)  # type: ignore[arg-type]
        else:
            filename = Path(getattr(file, "filename", None) or "upload.csv").name
            tmp = Path(tempfile.mkdtemp(prefix="graphcat-evaluate-"))
            target = tmp / f"upload{Path(filename).suffix}"
            try:
                await save_upload(file, settings, target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            spec = jobs.Spec(path=target, source=filename, owned_dir=tmp, **common)  # type: ignore[arg-type]
        job = await run_in_threadpool(queue.submit, db, spec, encoder)
        deadline = time.monotonic() + bound
        while not job.finished.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if not job.finished.is_set():
            return EvaluationJob.from_job(job)
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return EvaluationOnData.from_domain(job.result)

    out: EvaluationOnData | EvaluationJob | UserError = await as_result(work)
    return out  # type: ignore[return-value]


async def evaluation_job(info: Info, id: strawberry.ID) -> EvaluationJobResult:
    ctx = info.context

    async def work() -> EvaluationJob:
        return EvaluationJob.from_job(job_queue(ctx.request.app).get(str(id), _owner(ctx)))

    out: EvaluationJob | UserError = await as_result(work)
    return out  # type: ignore[return-value]


async def cancel_evaluation(info: Info, id: strawberry.ID) -> EvaluationJobResult:
    ctx = info.context

    async def work() -> EvaluationJob:
        job = job_queue(ctx.request.app).cancel(str(id), _owner(ctx))
        deadline = time.monotonic() + 5.0  # the worker is killed at the job's next turn (every 50 ms)
        while not job.finished.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return EvaluationJob.from_job(job)

    out: EvaluationJob | UserError = await as_result(work)
    return out  # type: ignore[return-value]


@strawberry.enum(description="Where a leaderboard value comes from.")
class LeaderboardKind(Enum):
    MEASURED = "measured"  # measured by graphcat on the dataset version's file
    REPORTED = "reported"  # a recorded evaluation from elsewhere (a paper, a collaboration)
    ESTIMATED = "estimated"  # the transferability estimate
    NOT_ENOUGH_EVIDENCE = "not_enough_evidence"


@strawberry.type(description="A model version's value of the metric on the dataset version; `low`..`high` is the "
                             "bootstrap interval (measured) or the estimate's interval (estimated).")
class LeaderboardEntry:
    rank: int
    model_version: strawberry.ID
    value: float | None
    kind: LeaderboardKind
    low: float | None
    high: float | None
    rows: int | None
    estimate: float | None = strawberry.field(description="For a measured value: the estimate it was checked against.")
    reason: str | None
    p99_ms: float | None = strawberry.field(description="With maxLatencyMs or hardware: the fastest fitting newest "
                                                        "batch-1 p99 latency (ms) of the version's benchmarks.")
    hardware: str | None = strawberry.field(description="The machine (Hardware id) that p99 was measured on.")


@strawberry.type
class LeaderboardEdge:
    cursor: str
    node: LeaderboardEntry


@strawberry.type
class Leaderboard:
    dataset: strawberry.ID
    metric: str
    lower_is_better: bool
    total_count: int
    edges: list[LeaderboardEdge]
    page_info: PageInfo


async def leaderboard(info: Info, dataset: strawberry.ID, metric: str = "auc", first: int = 20,
                      after: str | None = None,
                      framework: Annotated[str | None, strawberry.argument(
                          description="Only versions of this framework (pytorch, tensorflow, ...)")] = None,
                      max_latency_ms: Annotated[float | None, strawberry.argument(
                          description="Only versions whose newest batch-1 benchmark on some machine (the `hardware` "
                                      "one when given) has p99 <= this, in ms")] = None,
                      hardware: Annotated[str | None, strawberry.argument(
                          description="Only versions benchmarked on this machine (a Hardware id, or a kind: cpu)")] = None,
                      ) -> Leaderboard:
    limit = info.context.settings.graphql_max_page_size
    if not 1 <= first <= limit:
        raise InvalidInput(f"first must be between 1 and {limit} (GRAPHCAT_GRAPHQL_MAX_PAGE_SIZE), got {first}",
                           path="first")
    start = catalog_service.decode_cursor(after) + 1 if after else 0
    db, encoder = info.context.db, getattr(info.context.request.app.state, "encoder", None)
    entries = await run_in_threadpool(lambda: service.leaderboard(db, str(dataset), metric, encoder=encoder,
                                                                  framework=framework, max_latency_ms=max_latency_ms,
                                                                  hardware=hardware))
    name = service.parse_metrics(metric)[0].name
    page = entries[start:start + first]
    edges = [LeaderboardEdge(cursor=catalog_service.encode_cursor(start + i), node=LeaderboardEntry(
        rank=start + i + 1, model_version=strawberry.ID(e.model_version_uid), value=e.value,
        kind=LeaderboardKind(e.kind), low=e.low, high=e.high, rows=e.rows, estimate=e.estimate, reason=e.reason,
        p99_ms=e.p99_ms, hardware=e.hardware))
        for i, e in enumerate(page)]
    return Leaderboard(dataset=dataset, metric=name, lower_is_better=name in service.LOWER_IS_BETTER,
                       total_count=len(entries), edges=edges,
                       page_info=PageInfo(has_next_page=start + first < len(entries),
                                          end_cursor=edges[-1].cursor if edges else None))
