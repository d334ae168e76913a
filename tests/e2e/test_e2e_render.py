"""End to end: render fidelity against real nginx reference difusores and broken variants.

One checklist run covers every difusor below; each broken variant must be caught by the
intended check. Variants that change a file of the package also fail
``integrity.files-identical`` (and, when the file is index.html, ``site.public-folder``): that is
correct, and the expected ids are listed per variant.

- ``ref``: untouched; ``embed_url`` is a portal with its own header and ads around a faithful
  iframe. Fails no render/freshness id.
- ``css``: app.css gives the figures another colour and font size. Fails
  render.pages-match-reference (and integrity.files-identical).
- ``cifra``: one JSON shows actas capturadas with two digits transposed (717 for 177). Fails
  render.data-matches-package and render.pages-match-reference (and integrity.files-identical).
- ``sin-corte``: app.css hides #corte. Fails freshness.corte-displayed and
  render.pages-match-reference (and integrity.files-identical).
- ``banner``: index.html gains a script that injects a banner inside #contenido. Fails
  render.pages-match-reference (and integrity.files-identical, site.public-folder).
- ``portal-viejo``: site untouched; the portal's iframe shows an older corte's package from a
  second folder of the same server. Fails render.embedded only.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
import tomli_w

from prepcheck.archive.extract import extract_safely
from prepcheck.checklist.options import Options
from prepcheck.checklist.runner import run_checklist
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.sample import build_package

pytestmark = pytest.mark.slow

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
OLD_CORTE = datetime(2021, 6, 6, 20, 0, tzinfo=CENTRE_TIME)
SITE = "prepver2021"
RENDER_IDS = (
    "render.pages-match-reference",
    "render.data-matches-package",
    "render.embedded",
    "freshness.corte-displayed",
)
BANNER = """<script>
new MutationObserver(function () {
  var main = document.getElementById("contenido");
  if (main.getAttribute("data-estado") === "listo" && !document.getElementById("publicidad")) {
    var banner = document.createElement("div");
    banner.id = "publicidad";
    banner.textContent = "Publicidad: visite nuestra tienda";
    banner.style.cssText = "background:#ffd400;padding:16px;font-size:20px";
    main.insertBefore(banner, main.firstChild);
  }
}).observe(document.getElementById("contenido"), {attributes: true});
</script>
</body>"""
PORTAL = """<!DOCTYPE html>
<html lang="es-MX"><head><meta charset="utf-8"><title>Portal del difusor</title>
<style>body{{margin:0;font-family:sans-serif}} header{{background:#123;color:#fff;padding:20px}}
.anuncio{{background:#fc0;padding:30px;margin:8px}} iframe{{border:0;display:block}}</style>
</head><body><header><h1>Noticias de Veracruz</h1></header>
<div class="anuncio">Anuncio: suscríbase</div>
<iframe title="PREP" src="{src}" width="1000" height="700"></iframe>
<div class="anuncio">Otro anuncio</div></body></html>
"""
# Small page set for the variants (the good reference runs the full default set).
QUICK = {"pages": ["#/"], "viewports": {"escritorio": [1366, 768]}}


def live(difusor: ReferenceDifusor, relative: str) -> Path:
    return difusor.published / "current" / SITE / relative


def append_css(difusor: ReferenceDifusor, css: str) -> None:
    path = live(difusor, "assets/app.css")
    path.write_text(path.read_text(encoding="utf-8") + css, encoding="utf-8")


def transposed(figure: str) -> str:
    """``figure`` with its first two different neighbouring digits swapped (177 -> 717)."""
    for i in range(len(figure) - 1):
        if figure[i] != figure[i + 1]:
            return figure[:i] + figure[i + 1] + figure[i] + figure[i + 2 :]
    raise AssertionError(f"{figure}: no two different digits to transpose")


def change_figure(difusor: ReferenceDifusor) -> None:
    path = live(difusor, "json/diputaciones/resumen.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    total = data["actasCapturadas"]["total"]
    data["actasCapturadas"]["total"] = int(transposed(str(total)))
    (difusor.workdir / "cifra.json").write_text(json.dumps([str(total), transposed(str(total))]))
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def inject_banner(difusor: ReferenceDifusor) -> None:
    path = live(difusor, "index.html")
    path.write_text(path.read_text(encoding="utf-8").replace("</body>", BANNER), encoding="utf-8")


def portal(difusor: ReferenceDifusor, src: str) -> str:
    (difusor.docroot / "portal.html").write_text(PORTAL.format(src=src), encoding="utf-8")
    return difusor.base_url + "portal.html"


def with_render(config: Path, extra: dict[str, dict]) -> None:
    """Add per-difusor keys (``render``, ``embed_url``) to a written configuration."""
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    for entry in data["difusor"]:
        entry.update(extra.get(entry["name"], {}))
    config.write_text(tomli_w.dumps(data), encoding="utf-8")


@pytest.fixture(scope="module")
def render_run(tmp_path_factory):
    """Start the difusores, run the checklist once, stop them; yield the results by name."""
    base = tmp_path_factory.mktemp("e2e-render")
    built = build_package(CORTE, base / "packages")
    older = build_package(OLD_CORTE, base / "older")
    breakers = {
        "ref": None,
        "css": lambda d: append_css(d, ".cifras .valor{color:#0050ff;font-size:1.3rem}\n"),
        "cifra": change_figure,
        "sin-corte": lambda d: append_css(d, "#corte{visibility:hidden}\n"),
        "banner": inject_banner,
        "portal-viejo": None,
    }
    difusores: dict[str, ReferenceDifusor] = {}
    extra: dict[str, dict] = {}
    try:
        for name, breaker in breakers.items():
            difusor = ReferenceDifusor(base / name)
            difusor.publish(built.archive, built.digest_file)
            if breaker is not None:
                breaker(difusor)
            difusor.start()
            difusores[name] = difusor
            extra[name] = {"render": QUICK}
        extra["ref"] = {"embed_url": portal(difusores["ref"], f"{SITE}/#/")}
        stale = difusores["portal-viejo"]
        extract_safely(older.archive, stale.docroot / "viejo")
        extra["portal-viejo"]["embed_url"] = portal(stale, f"viejo/{SITE}/#/")
        entries = [(n, d.base_url, d.ca_file) for n, d in difusores.items()]
        config = write_config(base / "prepcheck.toml", built.archive, entries)
        with_render(config, extra)
        # The ids the tests read; TLS, headers and the package are other files' subject.
        checks = ("site.", "integrity.", "freshness.", "render.")
        outcome = run_checklist(config, base / "reports", options=Options(checks=checks))
    finally:
        for difusor in difusores.values():
            difusor.stop()
    results = {
        path.parent.name: json.loads(path.read_text(encoding="utf-8")) for path in outcome.results
    }
    results["_reports"] = base / "reports"  # type: ignore[assignment]
    yield results


def records(document: dict) -> dict[str, dict]:
    return {record["id"]: record for record in document["checks"]}


def render_failures(document: dict) -> set[str]:
    found = records(document)
    unmeasured = ("pass", "skipped", "not_applicable")
    return {cid for cid in RENDER_IDS if found[cid]["status"] not in unmeasured}


def test_reference_with_faithful_portal_passes_every_render_check(render_run):
    found = records(render_run["ref"])
    for check_id in RENDER_IDS:
        assert found[check_id]["status"] == "pass", (check_id, found[check_id]["message"])
    assert found["render.no-console-errors"]["status"] == "pass"
    pages = found["render.pages-match-reference"]["evidence"]["paginas"]
    assert len(pages) == 10  # default pages × escritorio and celular
    assert {p["vista"] for p in pages} == {"escritorio", "celular"}
    assert all(p["pixeles_distintos"] == 0 for p in pages)
    assert found["render.data-matches-package"]["evidence"]["cifras_revisadas"] > 300


def test_css_change_fails_pages_match_with_images(render_run):
    document = render_run["css"]
    assert render_failures(document) == {"render.pages-match-reference"}
    record = records(document)["render.pages-match-reference"]
    assert record["status"] == "fail"
    names = [image["nombre"] for image in record["evidence"]["imagenes"]]
    assert names == [
        "#/ (escritorio) — referencia",
        "#/ (escritorio) — difusor",
        "#/ (escritorio) — diferencias",
    ]
    assert records(document)["integrity.files-identical"]["status"] == "fail"


def test_changed_figure_fails_data_matches_package(render_run):
    document = render_run["cifra"]
    assert render_failures(document) == {
        "render.data-matches-package",
        "render.pages-match-reference",
    }
    record = records(document)["render.data-matches-package"]
    wrong = record["evidence"]["distintas"]
    base = render_run["_reports"].parent
    packaged, shown = json.loads((base / "cifra" / "cifra.json").read_text())
    assert {(w["cifra"], w["paquete"], w["mostrado"]) for w in wrong} == {
        ("diputaciones/actas_capturadas", packaged, shown)
    }


def test_hidden_corte_fails_corte_displayed(render_run):
    document = render_run["sin-corte"]
    assert render_failures(document) == {
        "freshness.corte-displayed",
        "render.pages-match-reference",
    }
    record = records(document)["freshness.corte-displayed"]
    assert "no muestra el corte" in record["message"]


def test_injected_banner_fails_pages_match(render_run):
    document = render_run["banner"]
    assert render_failures(document) == {"render.pages-match-reference"}
    record = records(document)["render.pages-match-reference"]
    assert "tamaños distintos" in record["message"]
    assert len(record["evidence"]["imagenes"]) == 3
    assert records(document)["site.public-folder"]["status"] == "fail"


def test_portal_with_stale_iframe_fails_embedded_only(render_run):
    document = render_run["portal-viejo"]
    assert render_failures(document) == {"render.embedded"}
    record = records(document)["render.embedded"]
    evidence = record["evidence"]
    assert evidence["iframe"].endswith(f"/viejo/{SITE}/#/")
    assert evidence["corte"]["resultado"] == "fail"
    assert "06/06/2021 21:00 (UTC-5)" in json.dumps(evidence["corte"]["paginas"])  # 20:00 UTC-6
    assert evidence["paginas"]["resultado"] == "fail"
    assert evidence["cifras"]["resultado"] == "fail"
    assert records(document)["integrity.files-identical"]["status"] == "pass"


def test_embedded_does_not_apply_without_a_portal(render_run):
    record = records(render_run["css"])["render.embedded"]
    assert record["status"] == "not_applicable"
    assert "embed_url" in record["message"]


def test_report_embeds_the_images_and_stays_small(render_run):
    report = render_run["_reports"] / "css" / "report.html"
    html = report.read_text(encoding="utf-8")
    assert html.count("image/png;base64") >= 3
    assert report.stat().st_size < 3_000_000
