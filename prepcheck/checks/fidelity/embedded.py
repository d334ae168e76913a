"""Evaluator for ``render.embedded``: the portal's PREP frame passes the page, data and corte
checks (the portal around the frame is the difusor's own business)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prepcheck.checks.fidelity.corte import evaluate_corte_displayed
from prepcheck.checks.fidelity.data import evaluate_data
from prepcheck.checks.fidelity.pages import evaluate_pages_match
from prepcheck.checks.registry import check
from prepcheck.config import RenderSettings
from prepcheck.results import CheckResult, Status, error, not_applicable, outcome
from prepcheck.snapshots.observer import Observer, Unobserved
from prepcheck.snapshots.pages import EmbeddedShots, PagePair


def evaluate_embedded(
    embed_url: str | None,
    embedded: EmbeddedShots | None,
    pairs: Sequence[PagePair],
    settings: RenderSettings,
    official_corte_iso: str | None,
) -> CheckResult:
    """``render.embedded``: the PREP frame of the portal passes the page, data and corte checks.

    The portal around the frame is the difusor's own business and is not compared. Outcomes:
    ``embed_url`` not set (not_applicable: no portal embeds the pages); the portal cannot be
    opened (error); no frame with the PREP pages (fail: embed the official pages in an
    iframe); the frame differs from the reference, shows other figures or another corte than
    the official one (fail, naming which: embed the official pages, unchanged and current);
    all pass (pass).
    """
    check = "render.embedded"
    if embed_url is None:
        return not_applicable(
            check, "El difusor no declara un portal que embeba las páginas (embed_url)."
        )
    if embedded is None:
        return error(check, "No se observó el portal")
    evidence: dict[str, Any] = {"portal": embed_url, "iframe": embedded.frame_url}
    if embedded.error is not None and embedded.frame_url is None:
        if embedded.error.startswith("no se pudo abrir"):
            return error(check, f"No se pudo abrir el portal: {embedded.error}", **evidence)
        return outcome(check, False, f"Portal {embed_url}: {embedded.error}", **evidence)
    parts = {
        "paginas": evaluate_pages_match(pairs, settings, check),
        "cifras": evaluate_data(pairs, check),
        "corte": evaluate_corte_displayed(
            [pair.actual for pair in pairs], official_corte_iso, "el paquete oficial", check
        ),
    }
    return _combine(check, parts, evidence)


def _combine(check: str, parts: dict[str, CheckResult], evidence: dict[str, Any]) -> CheckResult:
    images: list[dict[str, str]] = []
    for name, part in parts.items():
        found = dict(part.evidence)
        images += found.pop("imagenes", [])
        evidence[name] = {"resultado": str(part.status), "mensaje": part.message, **found}
    if images:
        evidence["imagenes"] = images
    failed = [f"{name}: {p.message}" for name, p in parts.items() if p.status is Status.FAIL]
    if failed:
        message = "El iframe del portal no es fiel — " + " | ".join(failed)
        return outcome(check, False, message, **evidence)
    errors = [f"{name}: {p.message}" for name, p in parts.items() if p.status is Status.ERROR]
    if errors:
        return error(check, "No se pudo verificar el iframe — " + " | ".join(errors), **evidence)
    return outcome(
        check,
        True,
        "El iframe del portal muestra las páginas oficiales, sus cifras y el corte vigente",
        **evidence,
    )


@check("render.embedded")
def embedded_pages(seen: Observer) -> CheckResult:
    settings = seen.difusor.render
    embed_url = seen.difusor.embed_url
    if embed_url is None:
        return evaluate_embedded(None, None, [], settings, None)
    observed = seen.render()
    return evaluate_embedded(
        embed_url, observed.embedded, observed.embedded_pairs, settings, _official_corte(seen)
    )


def _official_corte(seen: Observer) -> str | None:
    try:
        corte = seen.official().corte
    except Unobserved:
        return None
    return corte.isoformat() if corte is not None else None
