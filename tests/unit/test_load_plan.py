"""The load plan: refusal before anything is sent, caps, bounded shapes (no network, no Locust)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepcheck.config import CitizenWeights, Difusor, LoadSettings
from prepcheck.load.plan import (
    LoadRefused,
    Overrides,
    Stage,
    capped_target,
    plan_run,
    spike_stages,
    steady_stages,
)

BASE = "https://difusor.example.invalid/"


def difusor(**load: object) -> Difusor:
    return Difusor(name="d", base_url=BASE, load=LoadSettings(**load) if load else None)


@pytest.mark.parametrize("settings", [{}, {"authorized": False, "users": 5}])
def test_refuses_without_authorization(settings: dict[str, object]) -> None:
    with pytest.raises(LoadRefused, match=r"load\.authorized = true"):
        plan_run(difusor(**settings), "prepver2021", "steady")


def test_overrides_are_capped_at_the_configured_maxima() -> None:
    settings = LoadSettings(authorized=True, max_users=100, max_rate=50, max_duration_seconds=30)
    users, rate, duration, capped = capped_target(
        settings, Overrides(users=5000, rate=10_000, duration_seconds=3600)
    )
    assert (users, rate, duration) == (100, 50.0, 30)
    assert capped["users"] == {"pedido": 5000, "maximo": 100}
    assert set(capped) == {"users", "rate", "duration_seconds"}


def test_configured_values_used_when_no_override() -> None:
    settings = LoadSettings(authorized=True, users=7, rate=21, duration_seconds=9)
    assert capped_target(settings, Overrides()) == (7, 21.0, 9, {})


def test_steady_is_one_bounded_stage() -> None:
    assert steady_stages(20, 60) == (Stage(60.0, 20, 20.0),)


def test_spike_ramps_holds_and_drops_within_the_limit() -> None:
    stages = spike_stages(100, 60, base=10, ramp=5, drop=5, limit=1800)
    assert stages == (Stage(2.0, 10, 10.0), Stage(67.0, 100, 18.0), Stage(72.0, 10, 100.0))
    short = spike_stages(100, 600, base=0, ramp=5, drop=5, limit=40)
    assert short[-1].end == 40.0  # the hold shrinks so the whole shape fits


def test_plan_paths_weights_and_json(tmp_path: Path) -> None:
    weights = CitizenWeights(inicio=1, distrito=0, municipio=0, seccion=0, csv=0)
    target = difusor(authorized=True, users=4, rate=8, duration_seconds=5, weights=weights)
    plan = plan_run(target, "prepver2021", "spike", Overrides(users=2))
    assert plan.host == "https://difusor.example.invalid"
    assert plan.folder_path == "/prepver2021/"
    assert plan.main_json_path == "/prepver2021/json/main.json"
    assert plan.users == 2 and plan.per_user_rate == 4.0
    document = json.loads(plan.write(tmp_path / "plan.json").read_text())
    assert document["weights"]["inicio"] == 1 and document["stages"][-1]["end"] > 0


def test_main_json_on_another_site_is_refused() -> None:
    target = Difusor(
        name="d",
        base_url=BASE,
        main_json="https://other.example.invalid/json/main.json",
        load=LoadSettings(authorized=True),
    )
    with pytest.raises(LoadRefused, match="no está bajo base_url"):
        plan_run(target, "prepver2021", "steady")


def test_all_zero_weights_are_a_config_error() -> None:
    with pytest.raises(ValueError, match="al menos un peso debe ser mayor que 0"):
        CitizenWeights(inicio=0, distrito=0, municipio=0, seccion=0, csv=0)
