"""Facts of the render.* records: pages compared and their differing pixels, figures that
differ from the package, console errors, the portal's frame. Images are added by the caller."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prepcheck.report import es
from prepcheck.report.blocks import Block, bad, code, good, items, pairs, present, table
from prepcheck.report.facts.common import STATUS_WORDS, Context, generic, mapping, rows, texts


def facts(record: Mapping[str, Any], evidence: Mapping[str, Any], ctx: Context) -> list[Block]:
    check = record["id"]
    if check == "render.pages-match-reference":
        return _pages(evidence)
    if check == "render.data-matches-package":
        return _figures(evidence)
    if check == "render.no-console-errors":
        return _console(evidence)
    if check == "render.embedded":
        return _embedded(evidence)
    return generic(evidence)


def _pages(evidence: Mapping[str, Any]) -> list[Block]:
    tolerance = mapping(evidence.get("tolerancia"))
    return present(
        table(
            ("Página", "Vista", "Píxeles distintos", "¿Igual a la referencia?", "Nota"),
            (
                (
                    code(p.get("pagina")),
                    str(p.get("vista") or "—"),
                    _pixels(p),
                    good("sí") if p.get("cumple") else bad("no"),
                    str(p.get("nota") or "—"),
                )
                for p in rows(evidence.get("paginas"))
            ),
            "Páginas comparadas con la referencia oficial",
        ),
        pairs(
            [
                ("Píxeles distintos tolerados", tolerance.get("max_diff_pixels")),
                ("Proporción tolerada", tolerance.get("max_diff_ratio")),
                ("Umbral de color (0 a 1)", tolerance.get("threshold")),
                ("Zonas enmascaradas", ", ".join(texts(tolerance.get("mascaras"))) or None),
            ],
            "Tolerancia",
        )
        if tolerance
        else None,
    )


def _pixels(page: Mapping[str, Any]) -> str:
    different, total = page.get("pixeles_distintos"), page.get("pixeles_totales")
    if different is None:
        return "—"
    ratio = page.get("proporcion")
    share = f" ({es.percent(ratio, 3)})" if isinstance(ratio, int | float) else ""
    return f"{es.number(different)} de {es.number(total)}{share}"


def _figures(evidence: Mapping[str, Any]) -> list[Block]:
    return present(
        pairs([("Cifras revisadas", evidence.get("cifras_revisadas"))]),
        table(
            ("Página", "Vista", "Cifra", "El paquete dice", "La página muestra", "Fuente"),
            (
                (
                    code(f.get("pagina")),
                    str(f.get("vista") or "—"),
                    str(f.get("cifra") or "—"),
                    code(f.get("paquete")),
                    bad(f.get("mostrado")),
                    code(f.get("fuente")),
                )
                for f in rows(evidence.get("distintas"))
            ),
            "Cifras distintas",
        ),
    )


def _console(evidence: Mapping[str, Any]) -> list[Block]:
    problems = mapping(evidence.get("problemas"))
    blocks = present(pairs([("Páginas revisadas", evidence.get("paginas_revisadas"))]))
    for page, listed in list(problems.items())[:10]:
        blocks += present(items((code(p) for p in texts(listed)), f"Problemas en {page}"))
    return blocks


def _embedded(evidence: Mapping[str, Any]) -> list[Block]:
    parts = [
        (name, mapping(evidence.get(key)))
        for key, name in (("paginas", "Páginas"), ("cifras", "Cifras"), ("corte", "Corte"))
    ]
    return present(
        pairs(
            [
                ("Portal", code(evidence.get("portal"))),
                ("Marco (iframe) encontrado", code(evidence.get("iframe") or "(ninguno)")),
            ]
        ),
        table(
            ("Parte", "Resultado", "Detalle"),
            (
                (name, _word(part.get("resultado")), str(part.get("mensaje") or "—"))
                for name, part in parts
                if part
            ),
            "Lo que se revisó dentro del marco",
        ),
    )


def _word(status: Any) -> Any:
    word = STATUS_WORDS.get(str(status), str(status))
    return good(word) if status == "pass" else bad(word) if status in ("fail", "error") else word
