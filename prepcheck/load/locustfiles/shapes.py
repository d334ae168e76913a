"""Locust load shapes as data: the plan's stages (``prepcheck.load.plan``) played in order.

Contract: ``StagesShape`` returns ``(users, spawn_rate)`` of the stage covering the current run
time and ``None`` after the last stage ends, so every run stops by itself. The stages come from
the JSON plan named by the ``PREPCHECK_LOAD_PLAN`` environment variable (the same file the
citizen reads); steady = one stage, spike = base, ramp-and-hold, drop.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from locust import LoadTestShape

PLAN_ENV = "PREPCHECK_LOAD_PLAN"


def read_plan() -> dict[str, Any]:
    """The plan written by ``prepcheck load`` (a missing variable is a usage error)."""
    path = os.environ.get(PLAN_ENV)
    if not path:
        raise SystemExit(f"{PLAN_ENV} must name the JSON plan written by 'prepcheck load'")
    plan: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return plan


def stage_at(stages: list[dict[str, float]], run_time: float) -> tuple[int, float] | None:
    """(users, spawn_rate) of the stage covering ``run_time``; ``None`` once all have ended."""
    for stage in stages:
        if run_time < stage["end"]:
            return int(stage["users"]), float(stage["spawn_rate"])
    return None


class StagesShape(LoadTestShape):
    """Plays the plan's stages; the test ends when the last one does."""

    def __init__(self) -> None:
        super().__init__()
        self.stages = read_plan()["stages"]

    def tick(self) -> tuple[int, float] | None:
        return stage_at(self.stages, self.get_run_time())
