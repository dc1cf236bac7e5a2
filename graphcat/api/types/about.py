"""`FileAboutInput`: what an uploaded file is, for evaluateOnData (graphcat.evaluation.about).

The same terms as a dataset version of the catalog (DatasetVersion.conditions, simulatedWith,
recordedWith), turned into the catalog's dataset-version form, which the service checks with the
catalog's own schema.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graphcat.errors import InvalidInput


@strawberry.input(description="One numeric generation or simulation setting, e.g. jet_pt_centre_gev.")
class ConditionParameterInput:
    name: str
    value: float


@strawberry.input(description="Run conditions, as a dataset version records them (DatasetVersion.conditions).")
class ConditionsInput:
    sqrt_s_tev: float | None = None
    pileup_mean: float | None = None
    run_period: str | None = None
    generator: str | None = None
    tune: str | None = None
    detector_simulation: str | None = None
    kinematic_range: str | None = None
    parameters: list[ConditionParameterInput] | None = None


@strawberry.input(description="What an uploaded file is, when it is no dataset version yet: the transferability "
                              "estimate then targets the dataset version it would become (so the gap to the "
                              "measurement is known), and `record` records the file with these conditions.")
class FileAboutInput:
    data_type: str | None = strawberry.field(default=None, description="simulation or data.")
    simulated_with: list[str] | None = strawberry.field(default=None, description="Detector ids (or global ids).")
    recorded_with: list[str] | None = strawberry.field(default=None, description="Detector ids (or global ids).")
    conditions: ConditionsInput | None = None
    description: str | None = None


def about_dict(about: FileAboutInput | None) -> dict[str, Any] | None:
    """The input in the catalog's dataset-version form (fields not given are left out)."""
    if about is None:
        return None
    out: dict[str, Any] = {}
    for key in ("data_type", "description"):
        if getattr(about, key) is not None:
            out[key] = getattr(about, key)
    for key in ("simulated_with", "recorded_with"):
        ids = getattr(about, key)
        if ids is not None:
            out[key] = [i.removeprefix("detector:") for i in ids]
    c = about.conditions
    if c is not None:
        cond = {k: getattr(c, k) for k in ("sqrt_s_tev", "pileup_mean", "run_period", "generator", "tune",
                                            "detector_simulation", "kinematic_range") if getattr(c, k) is not None}
        if c.parameters is not None:
            names = [p.name for p in c.parameters]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise InvalidInput(f"about.conditions.parameters: {', '.join(map(repr, twice))} given more than once",
                                   path="about.conditions.parameters")
            cond["parameters"] = {p.name: p.value for p in c.parameters}
        out["conditions"] = cond
    return out
