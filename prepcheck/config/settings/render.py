"""``[difusor.render]``: the pages, viewports, masks and tolerances of the render.* checks.

Contract: pages are relative to the election folder; viewports are within [100, 4000] pixels;
``figures`` may only override keys of :data:`DEFAULT_FIGURE_SELECTORS`.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, field_validator

from prepcheck.config.base import Problem, Strict, shown

#: Default figure selectors for the reference site; ``{eleccion}`` / ``{partido}`` are filled in.
DEFAULT_FIGURE_SELECTORS: dict[str, str] = {
    "eleccion": 'section[data-testid="eleccion-{eleccion}"]',
    "actas_capturadas": '[data-testid="actas-capturadas"]',
    "actas_esperadas": '[data-testid="actas-esperadas"]',
    "porcentaje_actas_capturadas": '[data-testid="porcentaje-actas-capturadas"]',
    "participacion": '[data-testid="participacion"]',
    "votos_partido": 'tr[data-testid="votos-{partido}"] td.votos',
    "porcentaje_partido": 'tr[data-testid="votos-{partido}"] td.porcentaje',
}
DEFAULT_RENDER_PAGES = (
    "#/",
    "#/diputaciones",
    "#/ayuntamientos",
    "#/diputaciones/distrito/01",
    "#/ayuntamientos/municipio/001",
)


def _pair(value: object) -> object:
    """A TOML array ``[width, height]`` arrives as a list; the model keeps a tuple."""
    return tuple(value) if isinstance(value, list) else value


Size = Annotated[tuple[int, int], BeforeValidator(_pair)]


class RenderSettings(Strict):
    """What the render.* checks look at and how strictly (defaults fit the reference site).

    ``pages`` are relative to the election folder (``#/ruta`` or ``pagina.html#/ruta``);
    ``viewports`` maps a name to ``[width, height]``; ``masks`` are CSS selectors painted over
    in both renderings; a page passes when its mismatch is within ``max_diff_pixels`` and
    ``max_diff_ratio`` (both unset: no mismatched pixel at all). ``figures`` overrides the
    selectors of ``DEFAULT_FIGURE_SELECTORS`` (same keys).
    """

    pages: list[str] = Field(default_factory=lambda: list(DEFAULT_RENDER_PAGES), min_length=1)
    embed_pages: list[str] = Field(default_factory=lambda: ["#/"], min_length=1)
    viewports: dict[str, Size] = Field(
        default_factory=lambda: {"escritorio": (1366, 768), "celular": (390, 844)}, min_length=1
    )
    masks: list[str] = Field(default_factory=list)
    mask_color: str = "#FF00FF"
    threshold: Annotated[float, Field(ge=0, le=1)] = 0.1
    include_aa: bool = False
    max_diff_pixels: Annotated[int, Field(ge=0)] | None = 0
    max_diff_ratio: Annotated[float, Field(ge=0, le=1)] | None = None
    full_page: bool = True
    ready_selector: str = 'main#contenido[data-estado="listo"]'
    corte_selector: str = "#corte"
    iframe_selector: str = "iframe"
    figures: dict[str, str] = Field(default_factory=dict)
    page_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 20.0
    max_shots: Annotated[int, Field(ge=2, le=20)] = 5

    @field_validator("pages", "embed_pages")
    @classmethod
    def _relative(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            if urlsplit(value).scheme or value.startswith("/") or not value.strip():
                raise Problem(
                    "se esperaba una página relativa a la carpeta de la elección (p. ej."
                    f' "#/diputaciones"); se encontró {shown(value)}',
                    key=(index,),
                )
        return values

    @field_validator("mask_color")
    @classmethod
    def _color(cls, value: str) -> str:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise Problem(
                f'se esperaba un color "#RRGGBB" (p. ej. "#FF00FF"); se encontró {shown(value)}'
            )
        return value

    @field_validator("viewports")
    @classmethod
    def _sizes(cls, values: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for name, (width, height) in values.items():
            if not (100 <= width <= 4000 and 100 <= height <= 4000):
                raise Problem(
                    f"se esperaba [ancho, alto] entre 100 y 4000 píxeles; se encontró"
                    f" [{width}, {height}]",
                    key=(name,),
                )
        return values

    @field_validator("figures")
    @classmethod
    def _figure_keys(cls, values: dict[str, str]) -> dict[str, str]:
        for key in values:
            if key not in DEFAULT_FIGURE_SELECTORS:
                raise Problem(
                    f"cifra desconocida {shown(key)}; se esperaba una de:"
                    f" {', '.join(DEFAULT_FIGURE_SELECTORS)}",
                    key=(key,),
                )
        return values

    def figure_selectors(self) -> dict[str, str]:
        """The defaults overridden by ``figures``."""
        return {**DEFAULT_FIGURE_SELECTORS, **self.figures}
