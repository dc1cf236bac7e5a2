"""Typed errors of `graphcat evaluate` / `evaluateOnData`: each names what is wrong and where.

All are raised before anything is written (the run happens before the recording transaction)."""

from __future__ import annotations

from graphcat.errors import InvalidInput, NotFound


class UnknownModelVersion(NotFound):
    code = "UNKNOWN_MODEL_VERSION"


class NoArtifact(InvalidInput):
    code = "NO_ONNX_ARTIFACT"


class LabelProblem(InvalidInput):
    """The label column is missing, or not binary for a classification metric."""

    code = "BAD_LABEL"


class InputNotFed(InvalidInput):
    """A model input that the file's columns cannot fill (the message says which and what was tried)."""

    code = "INPUT_NOT_FED"


class UnknownMetric(InvalidInput):
    code = "UNKNOWN_METRIC"


class BadInputValues(InvalidInput):
    """NaN or infinite values in a model input built from the file."""

    code = "NON_FINITE_INPUT"


class ModelFailed(InvalidInput):
    """onnxruntime raised while running the model, or its output cannot be read as a score."""

    code = "MODEL_FAILED"
