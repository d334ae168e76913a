"""The figures a page must show, taken from the official package's JSON files.

Contract: ``expected_figures(route, read_json, selectors)`` maps a page route of the PREP site
to the figures the official package holds for it, each with the CSS selector that reads it from
the DOM: for every election block the page shows, actas capturadas and esperadas, the captured
percentage, participation and, per party, votes and percentage. Routes follow main.json:
``#/`` shows every election's ``resumen``, ``#/<eleccion>`` its ``resumen``,
``#/<eleccion>/<ambito>/<n>`` its ``detalle`` file for ``n``; other routes have no figures.
``read_json(relative)`` reads ``<folder>/<relative>`` of the official package (None if absent).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["count", "percent"]
ReadJson = Callable[[str], Any | None]

# (selector key, kind, JSON path inside a resumen/detalle document)
_SUMMARY_FIGURES: tuple[tuple[str, Kind, tuple[str, ...]], ...] = (
    ("actas_capturadas", "count", ("actasCapturadas", "total")),
    ("actas_esperadas", "count", ("totalActas",)),
    ("porcentaje_actas_capturadas", "percent", ("actasCapturadas", "porcentaje")),
    ("participacion", "percent", ("participacionCiudadana", "porcentaje")),
)


@dataclass(frozen=True)
class Figure:
    """One figure the page must show: ``value`` is the package's value as text."""

    key: str
    kind: Kind
    value: str
    source: str
    selector: str


def route_documents(route: str, main: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (election id, JSON file relative to the folder) pairs a route displays."""
    elecciones: Mapping[str, Any] = main.get("elecciones", {})
    parts = [p for p in route.removeprefix("#").strip("/").split("/") if p]
    if not parts:
        return [(eid, e["resumen"]) for eid, e in elecciones.items() if "resumen" in e]
    election = elecciones.get(parts[0])
    if election is None:
        return []
    if len(parts) == 1 and "resumen" in election:
        return [(parts[0], election["resumen"])]
    if len(parts) == 3 and parts[1] == election.get("ambito") and parts[2].isdigit():
        number = str(int(parts[2])).zfill(int(election.get("digitosId", 1)))
        return [(parts[0], str(election["detalle"]).replace("{id}", number))]
    return []


def expected_figures(route: str, read_json: ReadJson, selectors: Mapping[str, str]) -> list[Figure]:
    """The figures the page at ``route`` must show; see the module contract."""
    main = read_json("json/main.json")
    if not isinstance(main, Mapping):
        return []
    figures: list[Figure] = []
    for election, relative in route_documents(route, main):
        document = read_json(relative)
        if isinstance(document, Mapping):
            figures += _document_figures(election, relative, document, selectors)
    return figures


def _document_figures(
    election: str, relative: str, document: Mapping[str, Any], selectors: Mapping[str, str]
) -> list[Figure]:
    scope = selectors["eleccion"].format(eleccion=election)
    found: list[Figure] = []
    for name, kind, path in _SUMMARY_FIGURES:
        value = _dig(document, path)
        if value is not None:
            selector = f"{scope} {selectors[name]}"
            source = f"{relative}: {'.'.join(path)}"
            found.append(Figure(f"{election}/{name}", kind, str(value), source, selector))
    for index, party in enumerate(document.get("votosCandidatoPartidoCoalicion", [])):
        found += _party_figures(election, relative, index, party, scope, selectors)
    return found


def _party_figures(
    election: str,
    relative: str,
    index: int,
    party: Mapping[str, Any],
    scope: str,
    selectors: Mapping[str, str],
) -> list[Figure]:
    name = str(party.get("partido", index))
    source = f"{relative}: votosCandidatoPartidoCoalicion[{index}]"
    found = []
    columns: tuple[tuple[str, Kind, str], ...] = (
        ("votos_partido", "count", "total"),
        ("porcentaje_partido", "percent", "porcentaje"),
    )
    for key, kind, field in columns:
        if field in party:
            selector = f"{scope} {selectors[key].format(partido=name)}"
            found.append(
                Figure(
                    f"{election}/{key}/{name}",
                    kind,
                    str(party[field]),
                    f"{source}.{field}",
                    selector,
                )
            )
    return found


def _dig(document: Mapping[str, Any], path: tuple[str, ...]) -> Any | None:
    value: Any = document
    for step in path:
        if not isinstance(value, Mapping) or step not in value:
            return None
        value = value[step]
    return value


def queries(figures: list[Figure]) -> dict[str, str]:
    """The selector of every figure, by key (what the render probe reads)."""
    return {figure.key: figure.selector for figure in figures}
