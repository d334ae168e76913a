"""The registry: one evaluator per catalogue id, registered where it is written.

Contract: ``@check(id)`` registers an evaluator under a catalogue id (once; an unknown id or a
second registration raises at import). Evaluators of ids a checklist run measures take an
``Observer``; those of load, monitor and selftest take their command's observation.
:func:`evaluate` runs a checklist evaluator and never raises: an ``Unobserved`` observation
becomes ``error`` naming it, and an unexpected exception becomes ``error`` saying the
harness failed (a bug to report), never a pass. :func:`load_all` imports every registering
module (``ALL_MODULES``), so the registry is complete before anything looks an id up.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from prepcheck.catalogue import CATALOGUE
from prepcheck.results import CheckResult, error
from prepcheck.snapshots.observer import Observer, Unobserved

F = TypeVar("F", bound=Callable[..., CheckResult])

REGISTRY: dict[str, Callable[..., CheckResult]] = {}

#: Every module that registers evaluators (importing them fills ``REGISTRY``).
ALL_MODULES = (
    "prepcheck.checks.site",
    "prepcheck.checks.headers.cache",
    "prepcheck.checks.headers.content",
    "prepcheck.checks.headers.security",
    "prepcheck.checks.tls.protocols",
    "prepcheck.checks.tls.certificates",
    "prepcheck.checks.tls.vulnerabilities",
    "prepcheck.checks.package",
    "prepcheck.checks.integrity",
    "prepcheck.checks.freshness",
    "prepcheck.checks.fidelity.pages",
    "prepcheck.checks.fidelity.data",
    "prepcheck.checks.fidelity.corte",
    "prepcheck.checks.fidelity.console",
    "prepcheck.checks.fidelity.embedded",
    "prepcheck.checks.sftp",
    "prepcheck.checks.ingest",
    "prepcheck.checks.load",
    "prepcheck.checks.monitor.evaluate",
    "prepcheck.checks.host",
)


def check(check_id: str) -> Callable[[F], F]:
    """Register the decorated function as the evaluator of ``check_id``."""
    if check_id not in CATALOGUE:
        raise KeyError(f"unknown check id {check_id!r}: declare it in prepcheck.catalogue first")

    def register(function: F) -> F:
        if check_id in REGISTRY:
            raise ValueError(f"{check_id} is registered twice")
        REGISTRY[check_id] = function
        return function

    return register


def load_all() -> dict[str, Callable[..., CheckResult]]:
    """Import every registering module; returns the full registry."""
    for module in ALL_MODULES:
        importlib.import_module(module)
    return REGISTRY


def evaluator(check_id: str) -> Callable[..., CheckResult]:
    """The registered evaluator of ``check_id``."""
    return load_all()[check_id]


def evaluate(check_id: str, seen: Observer) -> CheckResult:
    """Run the checklist evaluator of ``check_id`` on ``seen`` (see the module contract)."""
    try:
        result = evaluator(check_id)(seen)
    except Unobserved as missing:
        return error(
            check_id,
            f"No se pudo verificar: {missing.observation}: {missing.reason}",
            observacion=missing.observation,
        )
    except Exception as exc:
        return error(
            check_id,
            "Falla interna del verificador (repórtela al equipo de prepcheck): "
            f"{type(exc).__name__}",
            detalle=_short(exc),
        )
    if result.id != check_id:
        raise AssertionError(f"the evaluator of {check_id} returned a result for {result.id}")
    return result


def _short(exc: BaseException) -> Any:
    text = str(exc)
    return text if len(text) <= 500 else text[:500] + "…"
