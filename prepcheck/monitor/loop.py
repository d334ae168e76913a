"""The bounded watch loop: every ``every_s`` seconds, one probe per difusor, concurrently.

Contract: ``watch`` returns after ``max_cycles`` cycles, at ``deadline`` (monotonic clock), or
when ``stop`` is set, whichever comes first; it never starts a cycle past the deadline. Inside a
cycle each difusor's probe runs in its own daemon thread and is waited for at most the
difusor's ``timeout_seconds`` (plus ``MARGIN_S``); a probe still running then is recorded as a
failure and abandoned (its thread ends at the probe's own total deadline), and that difusor is
not probed again until it has. Probes are isolated: one that raises is recorded as that
difusor's failed probe and the cycle goes on; being daemon threads, a stuck probe never keeps
the process from exiting. The latest official corte is read concurrently, once per cycle. The
loop itself does not write: it hands each cycle's observations to ``sink`` (the single writer).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from prepcheck.archive.official import OfficialPackage
from prepcheck.checklist.sources import current_official_corte
from prepcheck.config import Difusor, Election
from prepcheck.probes.main_json import ProbeResult, failed_probe, probe_main_json
from prepcheck.snapshots.monitor import Observation

MARGIN_S = 0.5
_OFFICIAL = "\0official"  # key of the official-corte task among the difusores' names
T = TypeVar("T")
Official = tuple[datetime | None, str]


@dataclass(frozen=True)
class Bounds:
    """When the loop stops by itself (at least one of ``deadline``/``max_cycles`` is set)."""

    every_s: float
    deadline: float | None = None  # time.monotonic() value
    max_cycles: int | None = None

    def __post_init__(self) -> None:
        if self.deadline is None and self.max_cycles is None:
            raise ValueError("a watch needs a deadline or a maximum number of cycles")


@dataclass
class Watch:
    """What is watched, and the tasks still running from earlier cycles."""

    difusores: Sequence[Difusor]
    election: Election
    official: OfficialPackage | None = None
    pending: dict[str, Future[object]] = field(default_factory=dict)


def watch(
    target: Watch,
    bounds: Bounds,
    sink: Callable[[list[Observation]], None],
    stop: threading.Event,
) -> int:
    """Run cycles until a bound or ``stop``; returns the number of cycles run."""
    cycles = 0
    next_at = time.monotonic()
    while not stop.is_set() and _may_start(bounds, cycles):
        sink(run_cycle(target))
        cycles += 1
        next_at = max(next_at + bounds.every_s, time.monotonic())  # skip overrun slots
        stop.wait(max(0.0, next_at - time.monotonic()))
    return cycles


def start_daemon(task: Callable[[], T]) -> Future[T]:
    """Run ``task`` in a new daemon thread (the process never waits for it at exit)."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(task())
        except BaseException as exc:  # handed to whoever collects the future
            future.set_exception(exc)

    threading.Thread(target=run, name="prepcheck-monitor", daemon=True).start()
    return future


def _may_start(bounds: Bounds, cycles: int) -> bool:
    if bounds.max_cycles is not None and cycles >= bounds.max_cycles:
        return False
    return bounds.deadline is None or time.monotonic() < bounds.deadline


def run_cycle(target: Watch) -> list[Observation]:
    """Probe every difusor once (concurrently) and read the official corte."""
    at = datetime.now(UTC)
    began = time.monotonic()
    official_bound = target.difusores[0].timeout_seconds
    official_task = _submit(target, _OFFICIAL, partial(_read_official, target))
    tasks = {d.name: _submit(target, d.name, partial(_probe, d, target)) for d in target.difusores}
    official = _collect(target, _OFFICIAL, official_task, began + official_bound + MARGIN_S)
    corte, source = official if official is not None else (None, "corte oficial sin respuesta")
    observations = []
    for difusor in target.difusores:
        bound = difusor.timeout_seconds
        result = _collect(target, difusor.name, tasks[difusor.name], began + bound + MARGIN_S)
        observation = _observation(difusor, target, at, result, tasks[difusor.name] is None)
        observations.append(_with_official(observation, corte, source))
    return observations


def _submit(target: Watch, key: str, task: Callable[[], T]) -> Future[T] | None:
    """Start ``task`` unless the previous one under ``key`` is still running (then None)."""
    previous = target.pending.get(key)
    if previous is not None and not previous.done():
        return None
    future = start_daemon(task)
    target.pending[key] = future  # type: ignore[assignment]
    return future


def _collect(target: Watch, key: str, future: Future[T] | None, deadline: float) -> T | None:
    """The task's result if it finished by ``deadline``; else None (it stays pending)."""
    if future is None:
        return None
    try:
        result = future.result(timeout=max(0.0, deadline - time.monotonic()))
    except FutureTimeout:
        return None
    except Exception:  # the tasks catch everything; this is the last line of isolation
        target.pending.pop(key, None)
        return None
    target.pending.pop(key, None)
    return result


def _read_official(target: Watch) -> Official:
    try:
        return current_official_corte(target.election, target.difusores[0], target.official)
    except Exception:  # a bug or odd data must not end the night's monitoring
        return None, "fuente oficial ilegible (falla inesperada al leerla)"


def _probe(difusor: Difusor, target: Watch) -> ProbeResult:
    election = target.election
    url = difusor.main_json_url(election.folder)
    try:
        return probe_main_json(
            url, ca_file=difusor.ca_file, timeout_s=difusor.timeout_seconds, tz=election.tz
        )
    except Exception:  # isolation: one difusor's trouble is its own failed probe
        return failed_probe(url, "el sondeo falló de forma inesperada (falla interna de prepcheck)")


def _observation(
    difusor: Difusor, target: Watch, at: datetime, result: ProbeResult | None, busy: bool
) -> Observation:
    url = difusor.main_json_url(target.election.folder)
    if result is None:
        bound = difusor.timeout_seconds
        reason = (
            "el sondeo anterior sigue sin respuesta"
            if busy
            else f"sin respuesta en {bound:g} s (sondeo abandonado)"
        )
        return Observation(difusor.name, at, url, error=reason, elapsed_ms=bound * 1000)
    return Observation(
        difusor=difusor.name,
        at=at,
        url=result.url,
        status=result.status,
        error=result.error,
        elapsed_ms=result.elapsed_ms,
        phases=result.phases,
        http_version=result.http_version,
        body_bytes=result.body_bytes,
        corte=result.corte,
        corte_error=result.corte_error,
    )


def _with_official(observation: Observation, corte: datetime | None, source: str) -> Observation:
    return replace(observation, official_corte=corte, official_source=source)
