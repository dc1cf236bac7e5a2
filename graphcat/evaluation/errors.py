"""Typed errors of `graphcat evaluate` / `evaluateOnData`: each names what is wrong and where.

All are raised before anything is written (the run happens before the recording transaction)."""

from __future__ import annotations

from typing import TypeVar

from graphcat.errors import GraphcatError, InvalidInput, NotFound

E = TypeVar("E", bound=GraphcatError)


def _typed(name: str, base: type[E], code: str, doc: str | None = None) -> type[E]:
    """A subclass of `base` with its own stable code (and what it means, as its docstring)."""
    return type(name, (base,), {"code": code, "__doc__": doc or base.__doc__, "__module__": __name__})


UnknownModelVersion = _typed("UnknownModelVersion", NotFound, "UNKNOWN_MODEL_VERSION")
NoArtifact = _typed("NoArtifact", InvalidInput, "NO_ONNX_ARTIFACT")
LabelProblem = _typed("LabelProblem", InvalidInput, "BAD_LABEL",
                      "The label column is missing, or not binary for a classification metric.")
InputNotFed = _typed("InputNotFed", InvalidInput, "INPUT_NOT_FED",
                     "A model input that the file's columns cannot fill (the message says which and what was tried).")
UnknownMetric = _typed("UnknownMetric", InvalidInput, "UNKNOWN_METRIC")
BadInputValues = _typed("BadInputValues", InvalidInput, "NON_FINITE_INPUT",
                        "NaN or infinite values in a model input built from the file.")
ModelFailed = _typed("ModelFailed", InvalidInput, "MODEL_FAILED",
                     "onnxruntime raised while running the model, or its output cannot be read as a score.")
