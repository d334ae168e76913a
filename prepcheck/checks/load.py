"""The ``load.*`` evaluators: k6-style thresholds (p95, p99, error rate, achieved req/s) and the
sustained download bandwidth, judged into CheckResults.

Contract: pure functions of what ``prepcheck load`` measured (``prepcheck.snapshots.load``; the
collectors are ``prepcheck.load.judge`` and ``prepcheck.probes.bandwidth``). A saturated load
generator gives ``error`` ("no concluyente: generador saturado") whatever the figures say,
because a CPU-bound closed-loop generator sends less and measures latency late (coordinated
omission): it can neither clear nor condemn the difusor. ``load.capacity`` needs every
threshold; ``load.spike`` needs the error rate and p99 (a burst may be slower, it must not
fail). ``load.bandwidth`` passes at ``target_mbps`` or more with no failed download; nothing
downloaded at all is ``error``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.load import BandwidthMeasurement, LoadMeasurement, Thresholds, Totals

CAPACITY = "load.capacity"
SPIKE = "load.spike"
BANDWIDTH = "load.bandwidth"

#: Locust's own warning level; above it the generator's figures are not trustworthy.
SATURATED_CPU_PERCENT = 90.0
#: Share of the samples taken under load that may reach that level before the run is void.
SATURATED_SHARE = 0.25
LOCUST_CPU_WARNINGS = ("CPU usage above", "CPU usage threshold was exceeded")


@dataclass(frozen=True)
class Saturation:
    """Whether any generator process ran CPU-bound during the load (and the figures)."""

    saturated: bool
    by_role: dict[str, dict[str, float]]
    locust_warned: bool

    def evidence(self) -> dict[str, Any]:
        return {"por_proceso": self.by_role, "aviso_cpu_de_locust": self.locust_warned}


def saturation(
    samples: Iterable[tuple[float, str, float]],
    window: tuple[float, float] | None,
    log_text: str = "",
) -> Saturation:
    """Judge ``samples`` = (epoch, role, busy %) taken inside ``window`` (load running).

    Busy = on a CPU or runnable waiting for one. A role is saturated when at least
    ``SATURATED_SHARE`` of its samples reach ``SATURATED_CPU_PERCENT``; Locust's own CPU
    warning in the log also counts.
    """
    per_role: dict[str, list[float]] = {}
    for at, role, percent in samples:
        if window is not None and window[0] <= at <= window[1] + 1.0:
            per_role.setdefault(role, []).append(percent)
    by_role = {role: _summary(values) for role, values in per_role.items()}
    hot = any(v["proporcion_saturada"] >= SATURATED_SHARE for v in by_role.values())
    warned = any(marker in log_text for marker in LOCUST_CPU_WARNINGS)
    return Saturation(hot or warned, by_role, warned)


def _summary(values: Sequence[float]) -> dict[str, float]:
    hot = sum(1 for v in values if v >= SATURATED_CPU_PERCENT)
    return {
        "muestras": len(values),
        "ocupacion_media": round(sum(values) / len(values), 1),
        "ocupacion_maxima": round(max(values), 1),
        "proporcion_saturada": round(hot / len(values), 3),
    }


def breaches(
    totals: Totals, achieved_rate: float, limits: Thresholds, *, spike: bool = False
) -> list[str]:
    """The thresholds not met, in Spanish (empty: all met)."""
    found = []
    if totals.error_rate > limits.max_error_rate:
        found.append(f"errores {_pct(totals.error_rate)} > {_pct(limits.max_error_rate)}")
    if not spike and totals.p95_ms > limits.p95_ms:
        found.append(f"p95 {totals.p95_ms:.0f} ms > {limits.p95_ms:.0f} ms")
    if totals.p99_ms > limits.p99_ms:
        found.append(f"p99 {totals.p99_ms:.0f} ms > {limits.p99_ms:.0f} ms")
    floor = limits.target_rate * limits.min_rate_ratio
    if not spike and achieved_rate < floor:
        found.append(f"{achieved_rate:.1f} sol/s logradas < {floor:.1f} sol/s ({_target(limits)})")
    return found


@check(CAPACITY)
def capacity(measured: LoadMeasurement) -> CheckResult:
    """``load.capacity`` of a steady run: every threshold (see the module contract)."""
    return _judge(CAPACITY, measured)


@check(SPIKE)
def spike(measured: LoadMeasurement) -> CheckResult:
    """``load.spike`` of a spike run: error rate and p99 only (see the module contract)."""
    return _judge(SPIKE, measured)


def _judge(check_id: str, measured: LoadMeasurement) -> CheckResult:
    totals, achieved_rate, limits = measured.totals, measured.achieved_rate, measured.thresholds
    facts = measured.generator
    generator = saturation(facts.cpu, facts.window, facts.log_text)
    evidence = {**measured.evidence, **figures(totals, achieved_rate, limits)}
    evidence["generador"] = generator.evidence()
    if generator.saturated:
        return error(
            check_id,
            "No concluyente: generador saturado (ocupado o esperando CPU más del "
            f"{SATURATED_CPU_PERCENT:.0f} % del tiempo); reparta la carga con --workers o en más "
            "equipos.",
            **evidence,
        )
    if totals.requests == 0:
        return error(
            check_id, "No concluyente: la prueba no registró ninguna solicitud.", **evidence
        )
    found = breaches(totals, achieved_rate, limits, spike=check_id == SPIKE)
    summary = (
        f"{totals.requests} solicitudes, {achieved_rate:.1f} sol/s, p95 {totals.p95_ms:.0f} ms, "
        f"p99 {totals.p99_ms:.0f} ms, errores {_pct(totals.error_rate)}"
    )
    if found:
        return outcome(
            check_id, False, "Umbral superado: " + "; ".join(found) + f" ({summary}).", **evidence
        )
    return outcome(check_id, True, f"Dentro de los umbrales: {summary}.", **evidence)


def figures(totals: Totals, achieved_rate: float, limits: Thresholds) -> dict[str, Any]:
    """Measured figures and thresholds, as evidence."""
    return {
        "solicitudes": totals.requests,
        "fallas": totals.failures,
        "tasa_de_error": round(totals.error_rate, 5),
        "p50_ms": totals.p50_ms,
        "p95_ms": totals.p95_ms,
        "p99_ms": totals.p99_ms,
        "max_ms": round(totals.max_ms, 1),
        "sol_por_segundo_logradas": round(achieved_rate, 2),
        "umbrales": {
            "p95_ms": limits.p95_ms,
            "p99_ms": limits.p99_ms,
            "tasa_de_error_maxima": limits.max_error_rate,
            "sol_por_segundo_objetivo": limits.target_rate,
            "proporcion_minima_del_objetivo": limits.min_rate_ratio,
        },
    }


@check(BANDWIDTH)
def bandwidth(measured: BandwidthMeasurement, target_mbps: float) -> CheckResult:
    """``load.bandwidth``: the sustained download against ``target_mbps`` (module contract)."""
    if measured.unavailable is not None:
        return error(BANDWIDTH, f"No se pudo medir el ancho de banda: {measured.unavailable}.")
    mbps = measured.mbps
    evidence = {
        "mbps": round(mbps, 2),
        "objetivo_mbps": target_mbps,
        "bytes": measured.bytes,
        "segundos": round(measured.seconds, 2),
        "conexiones": measured.streams,
        "descargas_completas": measured.downloads,
        "archivos": list(measured.files),
        "fallas": list(measured.failures[:10]),
    }
    if measured.failures and measured.bytes == 0:
        return error(BANDWIDTH, "No se descargó nada: " + measured.failures[0], **evidence)
    message = (
        f"{mbps:.1f} Mbps sostenidos en {measured.seconds:.0f} s con {measured.streams} conexiones"
    )
    if measured.failures:
        message += f"; {len(measured.failures)} descargas fallaron"
    passed = mbps >= target_mbps and not measured.failures
    return outcome(BANDWIDTH, passed, f"{message} (mínimo {target_mbps:g} Mbps).", **evidence)


def _pct(value: float) -> str:
    return f"{value * 100:.2f} %"


def _target(limits: Thresholds) -> str:
    return f"{limits.min_rate_ratio * 100:.0f} % de {limits.target_rate:g}"
