"""The render evaluators on hand-made shots: no browser, every outcome of every check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from prepcheck.checks.fidelity import (
    corte_equal,
    evaluate_console,
    evaluate_corte_displayed,
    evaluate_data,
    evaluate_embedded,
    evaluate_pages_match,
    figure_matches,
)
from prepcheck.checks.fidelity.imaging import encode_png
from prepcheck.config import RenderSettings
from prepcheck.formats.corte import corte_in_text
from prepcheck.formats.figures import Figure, expected_figures, route_documents
from prepcheck.snapshots.pages import EmbeddedShots, PagePair, PageShot

UTC5 = timezone(timedelta(hours=-5))
CORTE_ISO = "2021-06-06T22:15:00-05:00"
SHOWN = "Corte: 06/06/2021 22:15 (UTC-5)"


def png(height: int = 20, width: int = 30, mark: tuple[int, int] | None = None) -> bytes:
    image = np.full((height, width, 4), 255, dtype=np.uint8)
    if mark is not None:
        image[mark] = (200, 0, 0, 255)
    return encode_png(image)


def shot(image: bytes | None = b"", **fields) -> PageShot:
    found = PageShot("https://d/prepver2021/#/", "desktop", 1366, 768, png=image or png())
    if image is None:
        found.png = None
    for key, value in fields.items():
        setattr(found, key, value)
    return found


def pair(actual: PageShot, reference: PageShot | None = None, figures=()) -> PagePair:
    return PagePair("#/", "desktop", actual, reference or shot(), list(figures))


FIGURES = [
    Figure("dip/actas_capturadas", "count", "1234", "json/r.json: actasCapturadas.total", "a"),
    Figure("dip/participacion", "percent", "53.8924", "json/r.json: participacion", "b"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SHOWN, datetime(2021, 6, 6, 22, 15, tzinfo=UTC5)),
        ("Corte de información 6/6/2021 a las 22:15 hrs.", datetime(2021, 6, 6, 22, 15)),
        (
            "06/06/2021 23:15 (UTC-04:00)",
            datetime(2021, 6, 6, 23, 15, tzinfo=timezone(-timedelta(hours=4))),
        ),
        ("Corte: —", None),
        ("31/02/2021 10:00", None),
    ],
)
def test_parse_corte(text, expected):
    assert corte_in_text(text) == expected


def test_corte_equal_compares_instants_or_local_wall_time():
    expected = datetime.fromisoformat(CORTE_ISO)
    assert corte_equal(datetime(2021, 6, 6, 21, 15, tzinfo=timezone(-timedelta(hours=6))), expected)
    assert corte_equal(datetime(2021, 6, 6, 22, 15), expected)
    assert not corte_equal(datetime(2021, 6, 6, 22, 0, tzinfo=UTC5), expected)


@pytest.mark.parametrize(
    ("figure", "text", "ok"),
    [
        (FIGURES[0], "1,234", True),
        (FIGURES[0], "1 234", True),
        (FIGURES[0], "1,243", False),
        (FIGURES[0], None, False),
        (FIGURES[0], "", False),
        (FIGURES[1], "53.8924 %", True),
        (FIGURES[1], "53.89 %", True),  # rounded
        (FIGURES[1], "53.8 %", True),  # truncated
        (FIGURES[1], "54 %", False),  # no decimals: not accepted as rounding
        (FIGURES[1], "53.8925 %", False),
    ],
)
def test_figure_matches(figure, text, ok):
    assert figure_matches(figure, text) is ok


def test_pages_match_pass_fail_and_images():
    settings = RenderSettings()
    same = evaluate_pages_match([pair(shot())], settings)
    assert same.status == "pass"
    changed = evaluate_pages_match([pair(shot(png(mark=(5, 5))))], settings)
    assert changed.status == "fail" and "1 píxeles distintos" in changed.message
    assert [i["nombre"].rsplit(" ", 1)[-1] for i in changed.evidence["imagenes"]] == [
        "referencia",
        "difusor",
        "diferencias",
    ]
    tolerant = RenderSettings(max_diff_pixels=1)
    assert evaluate_pages_match([pair(shot(png(mark=(5, 5))))], tolerant).status == "pass"


def test_pages_of_another_size_fail_with_clear_message_and_a_padded_diff():
    result = evaluate_pages_match([pair(shot(png(height=25)))], RenderSettings())
    assert result.status == "fail"
    assert "tamaños distintos: referencia 30×20, actual 30×25" in result.message
    assert len(result.evidence["imagenes"]) == 3


def test_pages_match_errors_without_reference_or_page():
    settings = RenderSettings()
    no_reference = pair(shot(), shot(None, error="boom"))
    assert evaluate_pages_match([no_reference], settings).status == "error"
    unreachable = pair(shot(None, error="net::ERR_CONNECTION_REFUSED"))
    result = evaluate_pages_match([unreachable], settings)
    assert result.status == "error" and "ERR_CONNECTION_REFUSED" in result.message
    assert evaluate_pages_match([], settings).status == "error"


def test_data_matches_package_outcomes():
    good = shot(texts={"dip/actas_capturadas": "1,234", "dip/participacion": "53.8924 %"})
    assert evaluate_data([pair(good, figures=FIGURES)]).status == "pass"
    bad = shot(texts={"dip/actas_capturadas": "1,243", "dip/participacion": "53.8924 %"})
    result = evaluate_data([pair(bad, figures=FIGURES)])
    assert result.status == "fail"
    assert result.evidence["distintas"][0]["mostrado"] == "1,243"
    assert "json/r.json" in result.message
    missing = shot(texts={"dip/participacion": "53.8924 %"})
    assert evaluate_data([pair(missing, figures=FIGURES)]).status == "fail"
    assert evaluate_data([pair(good)]).status == "error"  # no figures to compare
    assert evaluate_data([pair(shot(None, error="x"), figures=FIGURES)]).status == "error"


def test_corte_displayed_outcomes():
    visible = {"texto": SHOWN, "visible": True, "lineas": [SHOWN]}
    assert evaluate_corte_displayed([shot(corte=visible)], CORTE_ISO, "main.json").status == "pass"
    official = evaluate_corte_displayed([shot(corte=visible)], CORTE_ISO, "el paquete oficial")
    assert official.message.endswith("del paquete oficial") and "de el " not in official.message
    hidden = {"texto": SHOWN, "visible": False, "lineas": []}
    result = evaluate_corte_displayed([shot(corte=hidden)], CORTE_ISO, "main.json")
    assert result.status == "fail" and "no muestra el corte" in result.message
    other = {"texto": "Corte: 06/06/2021 22:00 (UTC-5)", "visible": True, "lineas": []}
    assert evaluate_corte_displayed([shot(corte=other)], CORTE_ISO, "x").status == "fail"
    moved = {"texto": None, "visible": False, "lineas": ["Aviso", "Corte 06/06/2021 22:15"]}
    assert evaluate_corte_displayed([shot(corte=moved)], CORTE_ISO, "x").status == "pass"
    assert evaluate_corte_displayed([shot(corte=visible)], None, "x").status == "error"
    assert evaluate_corte_displayed([shot(None)], CORTE_ISO, "x").status == "error"


def test_console_errors_are_advisory():
    assert evaluate_console([shot()]).status == "pass"
    noisy = shot(problems=["HTTP 404: https://d/prepver2021/ads.js"])
    result = evaluate_console([noisy])
    assert result.status == "warn" and "404" in result.message


def test_embedded_outcomes():
    settings = RenderSettings()
    absent = evaluate_embedded(None, None, [], settings, None)
    assert absent.status == "not_applicable" and "embed_url" in absent.message
    no_frame = EmbeddedShots("https://d/portal.html", error="el portal no tiene un iframe")
    assert evaluate_embedded("https://d/portal.html", no_frame, [], settings, CORTE_ISO).status == (
        "fail"
    )
    down = EmbeddedShots("https://d/portal.html", error="no se pudo abrir el portal x")
    assert evaluate_embedded("https://d/portal.html", down, [], settings, CORTE_ISO).status == (
        "error"
    )
    visible = {"texto": SHOWN, "visible": True, "lineas": [SHOWN]}
    texts = {"dip/actas_capturadas": "1,234", "dip/participacion": "53.8924 %"}
    frame = EmbeddedShots("https://d/portal.html", frame_url="https://d/prepver2021/#/")
    good = [pair(shot(corte=visible, texts=texts), figures=FIGURES)]
    assert evaluate_embedded(frame.portal_url, frame, good, settings, CORTE_ISO).status == "pass"
    stale = evaluate_embedded(frame.portal_url, frame, good, settings, "2021-06-06T21:00:00-05:00")
    assert stale.status == "fail" and stale.evidence["corte"]["resultado"] == "fail"


def test_routes_map_to_the_package_documents():
    main = {
        "elecciones": {
            "dip": {
                "ambito": "distrito",
                "digitosId": 2,
                "resumen": "r.json",
                "detalle": "d_{id}.json",
            },
        }
    }
    assert route_documents("#/", main) == [("dip", "r.json")]
    assert route_documents("#/dip", main) == [("dip", "r.json")]
    assert route_documents("#/dip/distrito/7", main) == [("dip", "d_07.json")]
    assert route_documents("#/dip/seccion/0001", main) == []
    assert route_documents("#/otra", main) == []
    documents = {
        "json/main.json": main,
        "r.json": {
            "totalActas": 10,
            "actasCapturadas": {"total": 4, "porcentaje": "40.0000"},
            "votosCandidatoPartidoCoalicion": [
                {"partido": "PAN", "total": 3, "porcentaje": "75.0"}
            ],
        },
    }
    figures = expected_figures("#/dip", documents.get, RenderSettings().figure_selectors())
    keys = {f.key: f.value for f in figures}
    assert keys == {
        "dip/actas_capturadas": "4",
        "dip/actas_esperadas": "10",
        "dip/porcentaje_actas_capturadas": "40.0000",
        "dip/votos_partido/PAN": "3",
        "dip/porcentaje_partido/PAN": "75.0",
    }
    votes = next(f for f in figures if f.key == "dip/votos_partido/PAN")
    assert (
        votes.selector == 'section[data-testid="eleccion-dip"] tr[data-testid="votos-PAN"] td.votos'
    )


@pytest.mark.parametrize(
    "raw",
    [
        {"pages": ["https://elsewhere/#/"]},
        {"pages": ["/absolute"]},
        {"viewports": {"tiny": [10, 10]}},
        {"figures": {"votes": "x"}},
        {"max_shots": 1},
        {"mask_color": "magenta"},
    ],
)
def test_render_settings_reject_bad_values(raw):
    with pytest.raises(ValueError):
        RenderSettings.model_validate(raw)
