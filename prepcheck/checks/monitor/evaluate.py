"""Evaluators: pure functions from a difusor's observation history to ``CheckResult``.

Contract: no I/O; observations oldest first; each evaluator is registered under its catalogue
id (``prepcheck.checks.registry``); every evaluator returns ``skipped`` when there is
nothing to judge and ``error`` when there is too little (fewer than ``Rules.min_periods``
observed periods), never ``pass``. Evidence is a summary (counts, percentages, incidents and
runs capped at ``MAX_LISTED``), never the rows themselves; ``monitor.availability`` and
``freshness.missed-periods`` also carry ``serie_periodos``, the state of every update period
as one letter each (at most ``MAX_SERIES`` letters: longer histories are grouped, a group
taking its worst state), for the report's timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from prepcheck.checks.monitor.periods import (
    FailedRun,
    Incident,
    Period,
    PeriodState,
    failed_runs,
    incidents,
    period_index,
    periods,
)
from prepcheck.checks.registry import check
from prepcheck.config import Election
from prepcheck.results import CheckResult, error, outcome, skipped
from prepcheck.snapshots.monitor import Observation
from prepcheck.spanish import duration_es, local_iso, local_text

MAX_LISTED = 20
#: At most this many letters in ``serie_periodos`` (a week of 15-minute periods is 672).
MAX_SERIES = 720
#: ``serie_periodos`` letters, worst first (a group of periods shows its worst).
SERIES_LETTERS = {
    "c": "caído: ningún sondeo respondió 200",
    "r": "atrasado: respondió, pero con un corte viejo o ilegible",
    "d": "sin corte oficial con qué comparar",
    "o": "al día",
    "-": "sin sondeos",
}


@dataclass(frozen=True)
class Rules:
    """What the evaluators judge against. ``period`` is the update period used to divide the
    history (``interval`` unless a drill simulates shorter ones); ``interval`` bounds the
    corte lag."""

    period: timedelta
    interval: timedelta
    missed_limit: int
    availability_percent: float
    window_start: datetime
    window_end: datetime
    tz: tzinfo
    min_periods: int = 2

    @classmethod
    def for_election(cls, election: Election, period_seconds: float | None = None) -> Rules:
        settings = election.monitor
        interval = election.update_interval
        return cls(
            period=timedelta(seconds=period_seconds) if period_seconds else interval,
            interval=interval,
            missed_limit=election.missed_period_limit,
            availability_percent=settings.availability_percent,
            window_start=election.localize(election.window_start),
            window_end=election.localize(election.window_end),
            tz=election.tz,
            min_periods=settings.min_periods,
        )

    @property
    def simulated(self) -> bool:
        return self.period != self.interval

    def period_note(self) -> str:
        """Appended to messages when periods are simulated, so nobody mistakes a drill."""
        if not self.simulated:
            return ""
        return f" (periodo simulado de {duration_es(self.period)})"


def evaluate_all(observations: Sequence[Observation], rules: Rules) -> list[CheckResult]:
    """The three monitoring records for one difusor."""
    return [
        evaluate_availability(observations, rules),
        evaluate_missed_periods(observations, rules),
        evaluate_publication_window(observations, rules),
    ]


@check("monitor.availability")
def evaluate_availability(observations: Sequence[Observation], rules: Rules) -> CheckResult:
    """``monitor.availability``: successful probes (HTTP 200 within the bound) over all probes
    of the monitored window ≥ ``availability_percent`` (99.9).

    Outcomes: no probes → ``skipped``; fewer than ``min_periods`` observed periods → ``error``
    (fix: monitor longer); below target → fail (fix: redundant servers, CDN, health checks;
    see the incidents); else pass. Evidence: window, probes, failures, availability and the
    incidents (start, end, duration, reason).
    """
    check = "monitor.availability"
    if not observations:
        return skipped(check, "Sin sondeos en el historial de monitoreo")
    judged = periods(observations, rules.period, rules.interval)
    evidence = _window_evidence(observations, judged, rules)
    if _observed(judged) < rules.min_periods:
        return _too_few(check, judged, rules, evidence)
    total = len(observations)
    failures = sum(not obs.reachable for obs in observations)
    found = incidents(observations)
    percent = Decimal(100 * (total - failures)) / Decimal(total)
    evidence.update(
        sondeos=total,
        fallidos=failures,
        disponibilidad_pct=float(round(percent, 3)),
        meta_pct=rules.availability_percent,
        incidentes_total=len(found),
        incidentes=[incident_record(i, rules.tz) for i in found[:MAX_LISTED]],
        incidentes_omitidos=max(0, len(found) - MAX_LISTED),
        serie_periodos=period_series(observations, judged, rules),
    )
    passed = percent >= Decimal(str(rules.availability_percent))
    verb = "cumple" if passed else "no alcanza"
    message = (
        f"Disponibilidad {float(round(percent, 3)):g} % ({total - failures} de {total} sondeos"
        f" exitosos, {len(found)} incidente(s)): {verb} la meta de "
        f"{rules.availability_percent:g} % en {evidence['vigilado']}{rules.period_note()}"
    )
    return outcome(check, passed, message, **evidence)


@check("freshness.missed-periods")
def evaluate_missed_periods(observations: Sequence[Observation], rules: Rules) -> CheckResult:
    """``freshness.missed-periods``: never ``missed_period_limit`` (3) consecutive update
    periods failed. A period fails when no probe in it saw the site reachable with a corte
    lagging the official one by less than one interval.

    Outcomes: no probes → ``skipped``; fewer than ``min_periods`` observed periods → ``error``;
    a run of ≥ limit failed periods → fail, naming where the OPLE would interrupt (start of the
    limit-th consecutive failed period) (fix: automate reception and publication of every
    corte, monitor it); periods not judgeable because the official corte was unknown and no
    failure → ``error`` (fix: configure official_packages_dir or official_main_json_url);
    else pass. Unobserved periods are listed and never counted against the difusor.
    """
    check = "freshness.missed-periods"
    if not observations:
        return skipped(check, "Sin sondeos en el historial de monitoreo")
    judged = periods(observations, rules.period, rules.interval)
    evidence = _window_evidence(observations, judged, rules)
    if _observed(judged) < rules.min_periods:
        return _too_few(check, judged, rules, evidence)
    runs = failed_runs(judged)
    breaking = [run for run in runs if run.length >= rules.missed_limit]
    unknown = _count(judged, PeriodState.UNKNOWN)
    evidence.update(
        limite_consecutivos=rules.missed_limit,
        periodos_fallidos=_count(judged, PeriodState.FAILED),
        periodos_sin_corte_oficial=unknown,
        maximo_consecutivos=max((run.length for run in runs), default=0),
        tramos_fallidos=[_run_record(run, rules) for run in runs[:MAX_LISTED]],
        tramos_omitidos=max(0, len(runs) - MAX_LISTED),
        interrupciones=len(breaking),
        serie_periodos=period_series(observations, judged, rules),
    )
    if breaking:
        point = interruption_point(breaking[0], rules)
        evidence["interrupcion"] = local_iso(point, rules.tz)
        message = (
            f"{breaking[0].length} periodos consecutivos sin corte vigente desde "
            f"{local_text(breaking[0].first.start, rules.tz)} ({breaking[0].first.reason}); "
            f"el OPLE interrumpiría la difusión a las {local_text(point, rules.tz)}"
            f"{rules.period_note()}"
        )
        return outcome(check, False, message, **evidence)
    if unknown:
        return error(
            check,
            f"No se pudo comparar con el corte oficial en {unknown} periodo(s)",
            **evidence,
        )
    message = (
        f"Nunca {rules.missed_limit} periodos consecutivos fallidos en "
        f"{evidence['periodos_observados']} periodos vigilados; máximo consecutivo: "
        f"{evidence['maximo_consecutivos']}{rules.period_note()}"
    )
    return outcome(check, True, message, **evidence)


@check("freshness.publication-window")
def evaluate_publication_window(observations: Sequence[Observation], rules: Rules) -> CheckResult:
    """``freshness.publication-window``: over the monitored part of the publication window,
    results were published (HTTP 200 with a readable corte) at every probe.

    Outcomes: no probe inside the window → ``skipped`` with the window and what was monitored;
    fewer than ``min_periods`` observed periods inside → ``error``; any probe without results
    → fail (fix: keep the site published for the whole window); else pass. The message always
    states the coverage ("vigilado 2 h de 6 días 4 h"): a pass covers only what was seen.
    """
    check = "freshness.publication-window"
    start, end = (local_text(moment, rules.tz) for moment in (rules.window_start, rules.window_end))
    window = f"{start} – {end}"
    inside = [o for o in observations if rules.window_start <= o.at <= rules.window_end]
    if not inside:
        seen = _span_text(observations, rules) if observations else "sin sondeos"
        return skipped(
            check,
            f"Ningún sondeo dentro de la ventana de publicación ({window}); monitoreado: {seen}",
            ventana=window,
        )
    judged = periods(inside, rules.period, rules.interval)
    evidence = _window_evidence(inside, judged, rules)
    if _observed(judged) < rules.min_periods:
        return _too_few(check, judged, rules, evidence)
    window_length = rules.window_end - rules.window_start
    # Observed periods over-count partial first/last periods; the probed span under-counts
    # nothing but gaps: the smaller of the two is the honest figure.
    span = inside[-1].at - inside[0].at
    covered = min(rules.period * _observed(judged), span, window_length)
    coverage = f"vigilado {duration_es(covered)} de {duration_es(window_length)}"
    missing = [obs for obs in inside if not obs.published]
    evidence.update(
        ventana=window,
        ventana_segundos=window_length.total_seconds(),
        vigilado_segundos=covered.total_seconds(),
        cobertura_pct=round(100 * covered / window_length, 3),
        sondeos_en_ventana=len(inside),
        sondeos_fuera_de_ventana=len(observations) - len(inside),
        sin_publicar=len(missing),
        fallos=[_failure_record(obs, rules) for obs in missing[:MAX_LISTED]],
    )
    if missing:
        first = missing[0]
        message = (
            f"Sin resultados publicados en {len(missing)} de {len(inside)} sondeos dentro de la "
            f"ventana (primero {local_text(first.at, rules.tz)}: {first.reason(rules.interval)});"
            f" {coverage}{rules.period_note()}"
        )
        return outcome(check, False, message, **evidence)
    partial = "" if covered >= window_length else "; el resto de la ventana no se verificó"
    message = (
        f"Resultados publicados en los {len(inside)} sondeos dentro de la ventana; "
        f"{coverage} ({evidence['cobertura_pct']:g} %){partial}{rules.period_note()}"
    )
    return outcome(check, True, message, **evidence)


def period_series(
    observations: Sequence[Observation], judged: Sequence[Period], rules: Rules
) -> dict[str, Any]:
    """Every period's state as one letter of ``SERIES_LETTERS`` (see the module contract):
    ``o`` fresh corte seen; ``r`` answered but never fresh; ``c`` never answered 200; ``d``
    official corte unknown; ``-`` no probe."""
    reachable = {period_index(o.at, rules.period) for o in observations if o.reachable}
    letters = [_letter(p, p.index in reachable) for p in judged]
    group = max(1, -(-len(letters) // MAX_SERIES))
    worst = list(SERIES_LETTERS)
    grouped = [min(letters[i : i + group], key=worst.index) for i in range(0, len(letters), group)]
    return {
        "inicio": local_iso(judged[0].start, rules.tz) if judged else None,
        "periodo_segundos": rules.period.total_seconds(),
        "periodos_por_marca": group,
        "estados": "".join(grouped),
        "leyenda": SERIES_LETTERS,
    }


def _letter(period: Period, reachable: bool) -> str:
    if period.state is PeriodState.OK:
        return "o"
    if period.state is PeriodState.UNOBSERVED:
        return "-"
    if period.state is PeriodState.UNKNOWN:
        return "d"
    return "r" if reachable else "c"


def interruption_point(run: FailedRun, rules: Rules) -> datetime:
    """Where the OPLE would interrupt: the start of the ``missed_limit``-th failed period."""
    return run.first.start + rules.period * (rules.missed_limit - 1)


def incident_record(incident: Incident, tz: tzinfo) -> dict[str, Any]:
    """One incident as evidence / incidentes.json (election time). An incident still going on
    when the history ends has ``fin`` = its last failed probe and ``en_curso_al_terminar``."""
    return {
        "inicio": local_iso(incident.start, tz),
        "fin": local_iso(incident.end or incident.last_failure, tz),
        "en_curso_al_terminar": incident.end is None,
        "duracion_s": round(incident.duration().total_seconds(), 3),
        "duracion": duration_es(incident.duration()),
        "sondeos_fallidos": incident.probes,
        "motivo": incident.reason,
    }


def _run_record(run: FailedRun, rules: Rules) -> dict[str, Any]:
    return {
        "inicio": local_iso(run.first.start, rules.tz),
        "fin": local_iso(run.last.start + rules.period, rules.tz),
        "periodos": run.length,
        "motivo": run.first.reason,
    }


def _failure_record(obs: Observation, rules: Rules) -> dict[str, Any]:
    return {"momento": local_iso(obs.at, rules.tz), "motivo": obs.reason(rules.interval)}


def _observed(judged: Sequence[Period]) -> int:
    return sum(p.state is not PeriodState.UNOBSERVED for p in judged)


def _count(judged: Sequence[Period], state: PeriodState) -> int:
    return sum(p.state is state for p in judged)


def _span_text(observations: Sequence[Observation], rules: Rules) -> str:
    first, last = observations[0].at, observations[-1].at
    return f"{local_text(first, rules.tz)} – {local_text(last, rules.tz)}"


def _window_evidence(
    observations: Sequence[Observation], judged: Sequence[Period], rules: Rules
) -> dict[str, Any]:
    observed = _observed(judged)
    return {
        "desde": local_iso(observations[0].at, rules.tz),
        "hasta": local_iso(observations[-1].at, rules.tz),
        "vigilado": duration_es(observations[-1].at - observations[0].at),
        "periodo_segundos": rules.period.total_seconds(),
        "periodo_simulado": rules.simulated,
        "periodos": len(judged),
        "periodos_observados": observed,
        "periodos_sin_sondeos": len(judged) - observed,
    }


def _too_few(
    check: str, judged: Sequence[Period], rules: Rules, evidence: dict[str, Any]
) -> CheckResult:
    return error(
        check,
        f"Monitoreo insuficiente: {_observed(judged)} periodo(s) con sondeos; se necesitan "
        f"al menos {rules.min_periods}{rules.period_note()}",
        **evidence,
    )
