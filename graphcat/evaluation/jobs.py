"""Evaluations as jobs: each runs in its own worker process, a bounded number at once (issue 17).

`Jobs(settings)` keeps the jobs of one API process. `submit(db, spec)` checks what the catalog says
(the metric names, the model version, its artifact: graphcat.evaluation.run.prepare) in the caller's
thread, so those typos come back at once, then queues the job; at most GRAPHCAT_EVALUATION_WORKERS
run together. A job's run:

1. a worker process (multiprocessing "forkserver": a clean single-threaded parent that has already
   imported the evaluation code, so a start costs a fork, not an import) reads the file in batches,
   runs the model and computes the metrics (run.measure_prepared); it sends its progress (rows done,
   rows in the file) and, at the end, the Measurement or the typed error, and its peak RSS;
2. back in the API process, the measurement is checked against the transferability estimate and,
   when asked, recorded (service.finish): only a finished measurement is ever recorded.

The worker is killed when the job is cancelled or runs past GRAPHCAT_EVALUATION_TIME_LIMIT_S (the
error TIME_LIMIT); a worker that dies (a crash in onnxruntime, the OOM killer) is the error
WORKER_DIED with its exit code. Nothing is recorded in any of these cases. Jobs live in memory:
a job id is only known to the API process that started it (run one API process, or route a
client to the same one). Finished jobs are kept for an hour.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import shutil
import threading
import time
import uuid
from typing import Any
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from graphcat.errors import GraphcatError, InvalidInput
from graphcat.evaluation import run, service
from graphcat.evaluation.errors import Cancelled, TimeLimit, UnknownJob, WorkerDied
from graphcat.service.dataset_distance import TextEncoder
from graphcat.settings import Settings
from graphcat.store.database import Database

log = logging.getLogger(__name__)
QUEUED, RUNNING, RECORDING, DONE, FAILED, CANCELLED = "queued", "running", "recording", "done", "failed", "cancelled"
FINAL = (DONE, FAILED, CANCELLED)
KEEP_S = 3600.0
_POLL_S = 0.05


@dataclass(frozen=True)
class Spec:
    """What to evaluate; `owned_dir` (an upload's temporary folder) is removed when the job ends."""

    model_version_uid: str
    path: Path
    label: str
    metrics: list[str] | None = None
    record: bool = False
    dataset: str | None = None
    about: dict[str, Any] | None = None  # what the user says of a file that is no dataset version (service.finish)
    source: str | None = None
    owner: str = "anonymous"  # who may read and cancel the job (graphcat.api.evaluation: the token)
    batch_rows: int = run.BATCH_ROWS
    owned_dir: Path | None = None


@dataclass
class Job:
    id: str
    spec: Spec
    state: str = QUEUED
    rows_done: int = 0
    rows_total: int | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None
    result: service.Result | None = None
    error: GraphcatError | None = None
    worker_peak_rss_bytes: int | None = None
    cancel_requested: bool = False
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def seconds(self) -> float:
        if self.started is None:
            return 0.0
        return (self.ended or time.time()) - self.started


class Jobs:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=settings.evaluation_workers, thread_name_prefix="evaluation")
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["graphcat.evaluation.run", "graphcat.evaluation.jobs"])

    def submit(self, db: Database, spec: Spec, encoder: TextEncoder | None = None) -> Job:
        """Checks the catalog's side now (raising its typed errors), then queues the run."""
        try:
            service.check_inputs(db, spec.dataset, spec.about)
            prepared = run.prepare(db, self.settings, spec.model_version_uid, spec.metrics)
        except BaseException:
            _remove(spec)
            raise
        job = Job(uuid.uuid4().hex, spec)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._pool.submit(self._run, db, job, prepared, encoder)
        return job

    def get(self, job_id: str, owner: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJob(f"no evaluation job {job_id!r} in this API process (jobs are kept {KEEP_S / 3600:.0f} h "
                             f"after they end, and only by the process that started them)", path="id")
        if job.spec.owner != owner:
            raise InvalidInput(f"evaluation job {job_id} was started by another caller; send the token that started it",
                               path="id")
        return job

    def cancel(self, job_id: str, owner: str) -> Job:
        job = self.get(job_id, owner)
        job.cancel_requested = True
        return job

    def shutdown(self) -> None:
        with self._lock:
            for job in self._jobs.values():
                job.cancel_requested = True
        self._pool.shutdown(wait=True, cancel_futures=False)

    def _forget_old(self) -> None:
        now = time.time()
        for key in [k for k, j in self._jobs.items() if j.ended is not None and now - j.ended > KEEP_S]:
            del self._jobs[key]

    def _run(self, db: Database, job: Job, prepared: run.Prepared, encoder: TextEncoder | None) -> None:
        try:
            if job.cancel_requested:
                raise Cancelled("the evaluation was cancelled before it started", path="id")
            job.state, job.started = RUNNING, time.time()
            measurement = self._measure(job, prepared)
            job.state = RECORDING
            job.result = service.finish(db, measurement, dataset=job.spec.dataset, record=job.spec.record,
                                        encoder=encoder, about=job.spec.about)
            job.state = DONE
        except GraphcatError as exc:
            job.error = exc
            job.state = CANCELLED if isinstance(exc, Cancelled) else FAILED
        except Exception as exc:  # a bug: the job fails visibly, the log has the traceback
            log.exception("evaluation job %s failed", job.id)
            job.error, job.state = GraphcatError(f"internal error: {type(exc).__name__}: {exc}"), FAILED
        finally:
            job.ended = time.time()
            _remove(job.spec)
            job.finished.set()

    def _measure(self, job: Job, prepared: run.Prepared) -> run.Measurement:
        limit = self.settings.evaluation_time_limit_s
        ours, theirs = self._context.Pipe(duplex=False)
        spec = job.spec
        worker = self._context.Process(target=_work, name=f"graphcat-evaluation-{job.id[:8]}", daemon=True,
                                       args=(theirs, prepared, self.settings, str(spec.path), spec.label,
                                             spec.source, spec.batch_rows))
        worker.start()
        theirs.close()
        deadline = time.monotonic() + limit
        try:
            while True:
                if job.cancel_requested:
                    raise Cancelled(f"evaluation job {job.id} was cancelled after {job.rows_done} rows; "
                                    f"nothing was recorded", path="id")
                if time.monotonic() > deadline:
                    raise TimeLimit(f"the evaluation of {spec.model_version_uid} on {spec.source or spec.path.name} "
                                    f"ran past {limit:g} s (GRAPHCAT_EVALUATION_TIME_LIMIT_S) after {job.rows_done} "
                                    f"rows; it was stopped and nothing was recorded", path="modelVersion")
                if not ours.poll(_POLL_S):
                    if not worker.is_alive() and not ours.poll(0):
                        worker.join()
                        raise WorkerDied(f"the evaluation worker ended with exit code {worker.exitcode} after "
                                         f"{job.rows_done} rows, without an answer (a crash in the model's runtime, "
                                         f"or out of memory); nothing was recorded", path="modelVersion")
                    continue
                try:
                    message = ours.recv()
                except EOFError:
                    continue  # the worker is gone: the next turn says how
                kind = message[0]
                if kind == "progress":
                    job.rows_done, job.rows_total = message[1], message[2]
                elif kind == "done":
                    job.worker_peak_rss_bytes = message[2]
                    return message[1]  # type: ignore[no-any-return]
                else:
                    job.worker_peak_rss_bytes = message[4]
                    cls: type[GraphcatError] = message[1]
                    raise cls(message[2], path=message[3])
        finally:
            if worker.is_alive():
                worker.kill()
            worker.join()
            ours.close()


def _work(conn: Connection, prepared: run.Prepared, settings: Settings, path: str, label: str,
          source: str | None, batch_rows: int) -> None:
    """The worker process: measure, send the answer (or the typed error) and the peak RSS."""

    def progress(done: int, total: int | None) -> None:
        conn.send(("progress", done, total))

    try:
        m = run.measure_prepared(prepared, settings, path, label=label, batch_rows=batch_rows, source=source,
                                 progress=progress)
    except GraphcatError as exc:
        conn.send(("error", type(exc), exc.message, exc.path, _peak_rss()))
    except Exception as exc:  # a bug or MemoryError: said as such, not as a crash of the runtime
        conn.send(("error", WorkerDied, f"the evaluation worker failed: {type(exc).__name__}: {exc}", "modelVersion",
                   _peak_rss()))
    else:
        conn.send(("done", m, _peak_rss()))
    conn.close()


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def _remove(spec: Spec) -> None:
    if spec.owned_dir is not None:
        shutil.rmtree(spec.owned_dir, ignore_errors=True)
