"""The load plan: what one Locust run does, capped, bounded and serialisable for ``load/``.

Contract: ``plan_run`` refuses (``LoadRefused``) any difusor without ``load.authorized = true``
before anything touches the network; every figure it returns is capped by the configured
maxima, and the shape's stages always add up to a finite duration. The locustfile reads the
plan from the JSON file named by ``PLAN_ENV`` (it never imports this module: no gevent here).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from prepcheck.config import Difusor, LoadSettings
from prepcheck.errors import SafetyError

Shape = Literal["steady", "spike"]
PLAN_ENV = "PREPCHECK_LOAD_PLAN"
#: Where a worker process writes its own request count (``load/generators.py``).
WORKER_SUMMARY_ENV = "PREPCHECK_LOAD_WORKER_SUMMARY"
#: Steady runs start every user within this many seconds.
STEADY_RAMP_SECONDS = 1


class LoadRefused(SafetyError):
    """The difusor did not authorise load tests: nothing may be sent to it."""


@dataclass(frozen=True)
class Stage:
    """Hold ``users`` (reached at ``spawn_rate`` users/s) until ``end`` seconds into the run."""

    end: float
    users: int
    spawn_rate: float


@dataclass(frozen=True)
class Overrides:
    """Command-line values that replace the configured target (still capped)."""

    users: int | None = None
    rate: float | None = None
    duration_seconds: int | None = None


@dataclass(frozen=True)
class LoadPlan:
    """Everything the locustfile and the evaluator need for one run."""

    shape: Shape
    host: str
    folder_path: str
    main_json_path: str
    ca_file: str | None
    users: int
    rate: float
    duration_seconds: int
    stages: tuple[Stage, ...]
    weights: dict[str, int]
    refresh_seconds: float | None
    timeout_seconds: float
    expected_corte: str | None = None
    summary_path: str | None = None
    capped: dict[str, Any] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return self.stages[-1].end

    @property
    def per_user_rate(self) -> float:
        """Requests per second each user is paced at (``rate / users``)."""
        return self.rate / self.users

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    def write(self, path: Path) -> Path:
        """Write the plan atomically: a worker started as soon as it appears reads it whole."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.to_json(), encoding="utf-8")
        partial.replace(path)
        return path


def authorize(difusor: Difusor) -> LoadSettings:
    """The difusor's load settings; raises ``LoadRefused`` unless it authorised load tests."""
    settings = difusor.load
    if settings is None or not settings.authorized:
        raise LoadRefused(
            f"prueba de carga rechazada para {difusor.name!r}: su configuración no tiene "
            "load.authorized = true (nada se envió al difusor)"
        )
    return settings


def capped_target(settings: LoadSettings, overrides: Overrides) -> tuple[int, float, int, dict]:
    """(users, rate, duration) with overrides applied and each capped at its ``max_*``.

    The fourth item names what was capped, from which value, for the evidence.
    """
    wanted = {
        "users": overrides.users or settings.users,
        "rate": overrides.rate or settings.rate,
        "duration_seconds": overrides.duration_seconds or settings.duration_seconds,
    }
    limits = {
        "users": settings.max_users,
        "rate": settings.max_rate,
        "duration_seconds": settings.max_duration_seconds,
    }
    capped = {k: {"pedido": v, "maximo": limits[k]} for k, v in wanted.items() if v > limits[k]}
    users = int(min(wanted["users"], limits["users"]))
    rate = float(min(wanted["rate"], limits["rate"]))
    duration = int(min(wanted["duration_seconds"], limits["duration_seconds"]))
    return users, rate, duration, capped


def steady_stages(users: int, duration: int) -> tuple[Stage, ...]:
    """``users`` started within ``STEADY_RAMP_SECONDS`` and held for ``duration`` seconds."""
    return (Stage(float(duration), users, float(users) / STEADY_RAMP_SECONDS),)


def spike_stages(
    users: int, duration: int, *, base: int, ramp: int, drop: int, limit: int
) -> tuple[Stage, ...]:
    """The 19:00 opening: ``base`` users, a ramp to ``users`` in ``ramp`` s, a hold, a drop.

    The whole shape fits in ``limit`` seconds (the hold is shortened first, never below 1 s).
    """
    base = min(base, users)
    warm = 2 if base else 0
    hold = max(1, min(duration, limit - warm - ramp - drop))
    stages = []
    if base:
        stages.append(Stage(float(warm), base, float(base)))
    stages.append(Stage(float(warm + ramp + hold), users, (users - base) / ramp))
    if drop:
        stages.append(Stage(float(warm + ramp + hold + drop), base, float(users)))
    return tuple(stages)


def plan_run(
    difusor: Difusor,
    folder: str,
    shape: Shape,
    overrides: Overrides = Overrides(),
    *,
    expected_corte: str | None = None,
) -> LoadPlan:
    """The capped plan for one run of ``shape`` against ``difusor`` (refused if unauthorised)."""
    settings = authorize(difusor)
    users, rate, duration, capped = capped_target(settings, overrides)
    if shape == "steady":
        stages = steady_stages(users, duration)
    else:
        stages = spike_stages(
            users,
            duration,
            base=settings.spike_base_users,
            ramp=settings.spike_ramp_seconds,
            drop=settings.spike_drop_seconds,
            limit=settings.max_duration_seconds,
        )
    folder_url = difusor.folder_url(folder)
    return LoadPlan(
        shape=shape,
        host=difusor.base_url.rstrip("/"),
        folder_path=_path_of(folder_url, difusor.base_url),
        main_json_path=_path_of(difusor.main_json_url(folder), difusor.base_url),
        ca_file=str(difusor.ca_file) if difusor.ca_file else None,
        users=users,
        rate=rate,
        duration_seconds=duration,
        stages=stages,
        weights=settings.weights.model_dump(),
        refresh_seconds=settings.refresh_seconds,
        timeout_seconds=difusor.timeout_seconds,
        expected_corte=expected_corte,
        capped=capped,
    )


def _path_of(url: str, base_url: str) -> str:
    """``url`` as an absolute path on the difusor's host (``/prepver2021/...``)."""
    if not url.startswith(base_url):
        raise LoadRefused(f"{url} no está bajo base_url {base_url}: no se prueba otro sitio")
    return "/" + url[len(base_url) :]
