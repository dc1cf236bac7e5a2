"""An earlier version of the transferability estimator, loaded from git, to compare on the same catalog.

`python -m graphcat.study --compare-estimator-from <commit>` runs the leave-one-out validation with
the estimator as it was at that commit (graphcat/service/transferability.py, transfer_response.py
when the commit has it, and dataset_distance.py, read with `git show`), beside the current one, so
a change to the estimator is measured on the same sample, models and catalog. Needs the git
checkout the package runs from.
"""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path
from typing import Any

from graphcat.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
FILES = ("dataset_distance", "transfer_response", "transferability")
# Split out of transferability.py later: absent at older commits, where transferability.py holds it.
OPTIONAL = frozenset({"transfer_response"})


def _exists(commit: str, name: str) -> bool:
    done = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}:graphcat/service/{name}.py"],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def _source(commit: str, name: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:graphcat/service/{name}.py"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InvalidInput(f"cannot read graphcat/service/{name}.py at {commit!r}: {done.stderr.strip()}",
                           path="compare-estimator-from")
    return done.stdout


def estimator_class(commit: str) -> Any:
    """The Estimator class of graphcat.service.transferability at `commit`."""
    prefix = f"graphcat_legacy_{commit[:12]}"
    for name in FILES:
        if name in OPTIONAL and not _exists(commit, name):
            continue
        text = _source(commit, name)
        for other in FILES:
            text = text.replace(f"graphcat.service.{other}", f"{prefix}_{other}")
        module = types.ModuleType(f"{prefix}_{name}")
        module.__file__ = f"<git {commit}:graphcat/service/{name}.py>"
        sys.modules[module.__name__] = module  # dataclasses look their module up while the class is made
        exec(compile(text, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own repository's code
    return sys.modules[f"{prefix}_transferability"].Estimator
