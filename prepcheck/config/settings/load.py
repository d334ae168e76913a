"""``[difusor.load]``: the load-test target, its caps and thresholds, the citizen's weights.

Contract: nothing is sent unless ``authorized`` is true; every figure is bounded by the
``Field`` constraints; at least one citizen task weight is above 0.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from prepcheck.config.base import Problem, Strict


class CitizenWeights(Strict):
    """Relative weights of the citizen's tasks (``load/locustfiles/citizen.py``); at least one
    above 0."""

    inicio: Annotated[int, Field(ge=0)] = 2
    distrito: Annotated[int, Field(ge=0)] = 4
    municipio: Annotated[int, Field(ge=0)] = 4
    seccion: Annotated[int, Field(ge=0)] = 2
    csv: Annotated[int, Field(ge=0)] = 1

    @model_validator(mode="after")
    def _some_task(self) -> CitizenWeights:
        if not any(self.model_dump().values()):
            raise Problem("al menos un peso debe ser mayor que 0")
        return self


class LoadSettings(Strict):
    """Load-test target; nothing is sent unless ``authorized`` is true."""

    authorized: bool = False
    users: Annotated[int, Field(gt=0)] = 50
    rate: Annotated[float, Field(gt=0)] = 100.0
    duration_seconds: Annotated[int, Field(gt=0)] = 60
    max_users: Annotated[int, Field(gt=0)] = 2000
    max_rate: Annotated[float, Field(gt=0)] = 5000.0
    max_duration_seconds: Annotated[int, Field(gt=0)] = 1800
    p95_ms: Annotated[float, Field(gt=0)] = 1000.0
    p99_ms: Annotated[float, Field(gt=0)] = 3000.0
    max_error_rate: Annotated[float, Field(ge=0, le=1)] = 0.01
    min_rate_ratio: Annotated[float, Field(ge=0, le=1)] = 0.9
    refresh_seconds: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="main.json polling interval; default: its refrescoSegundos"
    )
    spike_base_users: Annotated[int, Field(ge=0)] = 0
    spike_ramp_seconds: Annotated[int, Field(gt=0)] = 5
    spike_drop_seconds: Annotated[int, Field(ge=0)] = 5
    weights: CitizenWeights = Field(default_factory=lambda: CitizenWeights())
    bandwidth_mbps: Annotated[float, Field(gt=0)] = 20.0
    bandwidth_seconds: Annotated[int, Field(gt=0, le=300)] = 10
    bandwidth_streams: Annotated[int, Field(gt=0, le=32)] = 4
