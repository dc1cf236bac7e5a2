"""Typed errors of `graphcat evaluate` / `evaluateOnData`: each names what is wrong and where.

All are raised before anything is written (the run happens before the recording transaction)."""

from __future__ import annotations

from typing import TypeVar

from graphcat.errors import GraphcatError, InvalidInput, NotFound

E = TypeVar("E", bound=GraphcatError)


def typed(name: str, base: type[E], code: str, doc: str | None = None) -> type[E]:
    """A subclass of `base` with its own stable code (and what it means, as its docstring)."""
    return type(name, (base,), {"code": code, "__doc__": doc or base.__doc__, "__module__": __name__})


UnknownModelVersion = typed("UnknownModelVersion", NotFound, "UNKNOWN_MODEL_VERSION")
NoArtifact = typed("NoArtifact", InvalidInput, "NO_ONNX_ARTIFACT")
LabelProblem = typed("LabelProblem", InvalidInput, "BAD_LABEL",
                      "The label column is missing, or not binary for a classification metric.")
InputNotFed = typed("InputNotFed", InvalidInput, "INPUT_NOT_FED",
                     "A model input that the file's columns cannot fill (the message says which and what was tried).")
UnknownMetric = typed("UnknownMetric", InvalidInput, "UNKNOWN_METRIC")
BadInputValues = typed("BadInputValues", InvalidInput, "NON_FINITE_INPUT",
                        "NaN or infinite values in a model input built from the file.")
ModelFailed = typed("ModelFailed", InvalidInput, "MODEL_FAILED",
                     "onnxruntime raised while running the model, or its output cannot be read as a score.")
TimeLimit = typed("TimeLimit", InvalidInput, "TIME_LIMIT", "The evaluation ran past GRAPHCAT_EVALUATION_TIME_LIMIT_S.")
Cancelled = typed("Cancelled", InvalidInput, "CANCELLED", "The evaluation was cancelled by its caller.")
WorkerDied = typed("WorkerDied", InvalidInput, "WORKER_DIED", "The worker process ended without an answer.")
UnknownJob = typed("UnknownJob", NotFound, "UNKNOWN_JOB", "No evaluation job of that id in this API process.")
