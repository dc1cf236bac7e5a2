"""A dataset version's run conditions as GraphQL types (DatasetVersion.conditions: catalog.py)."""

from __future__ import annotations

import strawberry

from graphcat import domain


@strawberry.type(description="One numeric condition of a dataset version.")
class ConditionParameter:
    name: str
    value: float


@strawberry.type
class Conditions:
    sqrt_s_tev: float | None
    pileup_mean: float | None
    run_period: str | None
    generator: str | None
    tune: str | None
    detector_simulation: str | None
    kinematic_range: str | None
    parameters: list[ConditionParameter] = strawberry.field(
        description="Numeric generation or simulation settings by name (e.g. jet_pt_centre_gev, "
                    "detector_pt_resolution, StringZ:aLund), compared by the transferability estimator along signed axes.")


def conditions_of(c: domain.Conditions) -> Conditions:
    return Conditions(sqrt_s_tev=c.sqrt_s_tev, pileup_mean=c.pileup_mean, run_period=c.run_period, generator=c.generator,
                      tune=c.tune, detector_simulation=c.detector_simulation, kinematic_range=c.kinematic_range,
                      parameters=[ConditionParameter(name=k, value=v) for k, v in c.parameters])
