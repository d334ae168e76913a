"""The ``freshness.corte-current`` rule: the difusor's corte against the latest official one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prepcheck.checks.registry import check
from prepcheck.formats.corte import corte_from_main_json
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.observer import Observer


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def evaluate_corte_current(
    snapshot: HttpSnapshot,
    official: datetime | None,
    official_source: str,
    interval: timedelta,
    default_tz: timezone,
) -> CheckResult:
    """``freshness.corte-current``: the difusor's corte lags the latest official one by less
    than one update interval.

    Outcomes: unreachable / not 200 / unreadable main.json → ``error`` (fix: serve main.json);
    no official corte known → ``error`` (fix: configure official_packages_dir or
    official_main_json_url); lag ≥ interval → fail (fix: automate publishing of every corte);
    a corte newer than the official one → fail (fix: publish only official packages); else pass.
    """
    check = "freshness.corte-current"
    evidence: dict[str, object] = {
        "solicitud": snapshot.summary(),
        "fuente_oficial": official_source,
    }
    if not snapshot.ok or snapshot.status != 200:
        reason = snapshot.error or f"HTTP {snapshot.status}"
        return error(check, f"No se pudo leer main.json del difusor: {reason}", **evidence)
    try:
        published = corte_from_main_json(snapshot.body, default_tz)
    except ValueError as exc:
        return error(check, f"main.json del difusor no indica un corte legible: {exc}", **evidence)
    evidence["corte_difusor"] = published.isoformat()
    if official is None:
        return error(check, "No se conoce el último corte oficial", **evidence)
    lag = official - published
    evidence.update(
        corte_oficial=official.isoformat(),
        retraso_minutos=_minutes(lag),
        intervalo_minutos=_minutes(interval),
    )
    if lag < timedelta(0):
        return outcome(
            check,
            False,
            f"El difusor publica un corte ({published:%d/%m/%Y %H:%M}) posterior al último oficial",
            **evidence,
        )
    if lag >= interval:
        return outcome(
            check,
            False,
            f"El difusor está {_minutes(lag):g} min atrás del último "
            f"corte oficial ({official:%d/%m/%Y %H:%M})",
            **evidence,
        )
    return outcome(
        check,
        True,
        f"Corte publicado {published:%d/%m/%Y %H:%M}: al día (retraso {_minutes(lag):g} min)",
        **evidence,
    )


@check("freshness.corte-current")
def corte_current(seen: Observer) -> CheckResult:
    election = seen.election
    latest, source = seen.official_corte()
    snapshot = seen.get(seen.main_json_url)
    return evaluate_corte_current(snapshot, latest, source, election.update_interval, election.tz)
