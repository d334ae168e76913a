"""Monitoring evaluators on synthetic histories (pure functions, no network)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone

from prepcheck.checks.monitor.evaluate import (
    Rules,
    evaluate_availability,
    evaluate_missed_periods,
    evaluate_publication_window,
)
from prepcheck.snapshots.monitor import Observation

TZ = timezone(timedelta(hours=-6))
OFFICIAL = datetime(2021, 6, 6, 21, 15, tzinfo=TZ)
START = datetime(2021, 6, 6, 22, 0, tzinfo=TZ)  # a period boundary (epoch-aligned)
MINUTE = timedelta(minutes=1)


def rules(**changes: object) -> Rules:
    base = {
        "period": timedelta(minutes=15),
        "interval": timedelta(minutes=15),
        "missed_limit": 3,
        "availability_percent": 99.9,
        "window_start": datetime(2021, 6, 6, 19, 0, tzinfo=TZ),
        "window_end": datetime(2021, 6, 12, 23, 59, tzinfo=TZ),
        "tz": TZ,
    }
    return Rules(**{**base, **changes})  # type: ignore[arg-type]


def probe(at: datetime, *, up: bool = True, corte: datetime | None = OFFICIAL) -> Observation:
    if not up:
        return Observation("d", at.astimezone(UTC), "u", error="tiempo de espera agotado")
    return Observation(
        "d", at.astimezone(UTC), "u", status=200, corte=corte, official_corte=OFFICIAL
    )


def history(minutes: int, down: Iterable[int] = (), step: timedelta = MINUTE) -> list[Observation]:
    """One probe per ``step`` for ``minutes`` steps; those in ``down`` unreachable."""
    gone = set(down)
    return [probe(START + i * step, up=i not in gone) for i in range(minutes)]


def test_availability_boundary_is_inclusive_at_99_9() -> None:
    second = timedelta(seconds=1)
    one = evaluate_availability(history(1000, down=[500], step=second), rules())
    two = evaluate_availability(history(1000, down=[500, 501], step=second), rules())
    assert one.status == "pass", one.message
    assert one.evidence["disponibilidad_pct"] == 99.9 and one.evidence["fallidos"] == 1
    assert two.status == "fail" and two.evidence["disponibilidad_pct"] == 99.8
    incident = two.evidence["incidentes"][0]
    assert incident["sondeos_fallidos"] == 2 and incident["duracion_s"] == 2.0
    assert incident["motivo"] == "tiempo de espera agotado"
    assert incident["inicio"] == (START + 500 * second).isoformat()


def test_availability_evidence_lists_incidents_not_rows() -> None:
    flapping = history(600, down=range(0, 600, 2), step=timedelta(seconds=10))
    result = evaluate_availability(flapping, rules())
    assert result.status == "fail"
    assert result.evidence["incidentes_total"] == 300
    assert (
        len(result.evidence["incidentes"]) == 20 and result.evidence["incidentes_omitidos"] == 280
    )


def test_two_consecutive_failed_periods_pass_three_fail_at_the_third() -> None:
    two = evaluate_missed_periods(history(120, down=range(15, 45)), rules())
    assert two.status == "pass", two.message
    assert two.evidence["maximo_consecutivos"] == 2
    three = evaluate_missed_periods(history(120, down=range(15, 60)), rules())
    assert three.status == "fail"
    # Periods 22:15, 22:30, 22:45 failed: the OPLE interrupts at the start of the third.
    assert three.evidence["interrupcion"] == "2021-06-06T22:45:00-06:00"
    assert "22:45:00" in three.message and "interrumpiría" in three.message
    assert three.evidence["tramos_fallidos"][0]["periodos"] == 3


def test_one_fresh_probe_saves_a_period() -> None:
    # Down for 45 minutes except one good probe at 22:40: only two periods fail around it.
    down = [i for i in range(15, 60) if i != 40]
    assert evaluate_missed_periods(history(120, down=down), rules()).status == "pass"


def test_a_stale_corte_fails_its_period_even_when_reachable() -> None:
    stale = OFFICIAL - timedelta(minutes=15)  # exactly one interval behind: not fresh
    rows = [probe(START + i * MINUTE, corte=stale if 15 <= i < 60 else OFFICIAL) for i in range(90)]
    result = evaluate_missed_periods(rows, rules())
    assert result.status == "fail" and "atrasado 15 min" in result.message
    assert evaluate_availability(rows, rules()).status == "pass"  # it was up all along


def test_unknown_official_corte_is_an_error_not_a_pass() -> None:
    rows = [
        Observation("d", START + i * MINUTE, "u", status=200, corte=OFFICIAL) for i in range(60)
    ]
    assert evaluate_missed_periods(rows, rules()).status == "error"


def test_unobserved_periods_do_not_count_against_the_difusor() -> None:
    rows = history(30, down=range(15, 30))  # 22:15 fails
    rows += [probe(START + i * MINUTE, up=False) for i in range(45, 75)]  # 22:45, 23:00 fail
    result = evaluate_missed_periods(rows, rules())  # 22:30 was not watched: no run of 3
    assert result.status == "pass", result.message
    assert result.evidence["periodos_sin_sondeos"] == 1
    assert result.evidence["maximo_consecutivos"] == 2


def test_too_few_periods_never_pass() -> None:
    short = history(10)  # ten minutes inside one 15-minute period
    for evaluate in (evaluate_availability, evaluate_missed_periods, evaluate_publication_window):
        result = evaluate(short, rules())
        assert result.status == "error" and "insuficiente" in result.message
    assert evaluate_availability([], rules()).status == "skipped"


def test_publication_window_reports_partial_coverage() -> None:
    result = evaluate_publication_window(history(121), rules())
    assert result.status == "pass"
    assert "vigilado 2 h de 6 días 4 h" in result.message
    assert "no se verificó" in result.message
    assert result.evidence["cobertura_pct"] < 2


def test_publication_window_fails_on_one_unpublished_probe() -> None:
    rows = history(60)
    rows[30] = probe(rows[30].at, corte=None)  # up, but main.json without corte
    result = evaluate_publication_window(rows, rules())
    assert result.status == "fail" and result.evidence["sin_publicar"] == 1
    assert "main.json sin corte legible" in result.evidence["fallos"][0]["motivo"]


def test_publication_window_outside_window_is_skipped_and_edges_are_clipped() -> None:
    before = rules(window_start=START + timedelta(days=1), window_end=START + timedelta(days=2))
    result = evaluate_publication_window(history(60), before)
    assert result.status == "skipped" and "Ningún sondeo dentro" in result.message
    # The window closes after 30 minutes of probing: the rest is outside, not judged.
    closing = rules(window_end=START + timedelta(minutes=30))
    rows = history(60, down=range(40, 60))
    clipped = evaluate_publication_window(rows, closing)
    assert clipped.status == "pass" and clipped.evidence["sondeos_fuera_de_ventana"] == 29


def test_simulated_periods_are_stated() -> None:
    rows = history(10, step=timedelta(seconds=1))
    result = evaluate_missed_periods(rows, rules(period=timedelta(seconds=1)))
    assert result.status == "pass" and "periodo simulado de 1 s" in result.message
