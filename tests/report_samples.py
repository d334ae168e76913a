"""Sample results documents for the report's tests, its benchmark and the README's pictures.

Each document is built with ``prepcheck.results.new_document`` from records the real
evaluators produce (HTTP snapshots, TLS scans, file outcomes, monitoring histories and load
figures made by hand), so the evidence has exactly the shapes the report must read. Together
they hold every status (pass, fail, warn, error, skipped, not_applicable) and every verdict
(CUMPLE, NO CUMPLE, INCOMPLETO, and an interrupted run). ``HOSTILE`` strings go into
messages, evidence and the display name of the ``hostil`` document.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from PIL import Image

from prepcheck.catalogue import CATALOGUE, Severity, spec
from prepcheck.checks.headers import (
    evaluate_compression,
    evaluate_hsts,
    evaluate_main_json_cache_control,
    evaluate_security,
)
from prepcheck.checks.integrity import evaluate_files_identical, evaluate_no_missing_files
from prepcheck.checks.load import capacity
from prepcheck.checks.monitor.evaluate import Rules, evaluate_availability, evaluate_missed_periods
from prepcheck.checks.site import evaluate_reachable
from prepcheck.checks.tls import evaluate_ciphers, evaluate_enabled, evaluate_protocols
from prepcheck.checks.tls.mozilla import PROFILES
from prepcheck.load.chart import series
from prepcheck.results import (
    CheckResult,
    Subject,
    error,
    new_document,
    not_applicable,
    outcome,
    skipped,
    summary,
)
from prepcheck.snapshots.files import FileOutcome
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.load import Generator, LoadMeasurement, Point, Thresholds, Totals
from prepcheck.snapshots.monitor import Observation
from prepcheck.snapshots.tls import Suite, TlsScan

HOSTILE = "<script>window.__pwned=1</script><img src=x onerror=alert(1)>"
TZ = timezone(timedelta(hours=-6))
STARTED = "2026-12-01T20:05:00+00:00"
FINISHED = "2026-12-01T20:09:30+00:00"
BASE = "https://prep.muestra.edu.mx/"
MAIN_JSON = f"{BASE}prepver2021/json/main.json"


def subject(name: str, display: str | None = None) -> Subject:
    return Subject(
        name, display or f"Universidad {name.capitalize()}", BASE, "Simulacro PREP 2026", "-06:00"
    )


def document(
    name: str, results: Iterable[CheckResult], display: str | None = None
) -> dict[str, Any]:
    """A results document for ``name`` with fixed times (so renderings are reproducible)."""
    results = [replace(r, measured_at=FINISHED) for r in results]
    return new_document(subject(name, display), results, started_at=STARTED, finished_at=FINISHED)


def snapshot(
    url: str = MAIN_JSON,
    status: int = 200,
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"{}",
    error: str | None = None,
) -> HttpSnapshot:
    return HttpSnapshot(
        url=url,
        status=None if error else status,
        headers=tuple(headers),
        body=body,
        http_version="HTTP/2",
        elapsed_s=0.042,
        error=error,
    )


def passing(check_id: str) -> CheckResult:
    return outcome(check_id, True, "Cumple lo que exige la convocatoria.")


# -- records with real evidence ---------------------------------------------------------------


def tls_scan(*, legacy: bool) -> TlsScan:
    modern = (Suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDH", "X25519", 253),)
    old = (Suite("TLS_RSA_WITH_AES_128_CBC_SHA", None),) if legacy else ()
    return TlsScan(
        host="prep.muestra.edu.mx",
        port=443,
        elapsed_s=1.2,
        ip_address="192.0.2.10",
        negotiated={"version": "TLS_1_3", "cipher": "TLS_AES_128_GCM_SHA256"},
        protocols={
            "SSLv2": (),
            "SSLv3": (),
            "TLSv1": old,
            "TLSv1.1": old,
            "TLSv1.2": modern + old,
            "TLSv1.3": (Suite("TLS_AES_128_GCM_SHA256", "ECDH", "X25519", 253),),
        },
        curves=("X25519", "secp256r1"),
    )


def monitor_results(*, failing: bool) -> list[CheckResult]:
    rules = Rules(
        period=timedelta(minutes=15),
        interval=timedelta(minutes=15),
        missed_limit=3,
        availability_percent=99.9,
        window_start=datetime(2026, 12, 1, 10, 0, tzinfo=TZ),
        window_end=datetime(2026, 12, 1, 23, 59, tzinfo=TZ),
        tz=TZ,
    )
    start = datetime(2026, 12, 1, 12, 0, tzinfo=TZ)
    official = datetime(2026, 12, 1, 11, 45, tzinfo=TZ)
    probes = []
    for minute in range(0, 6 * 60, 2):
        at = (start + timedelta(minutes=minute)).astimezone(UTC)
        down = failing and 90 <= minute < 150
        late = failing and 195 <= minute < 225
        if down:
            probes.append(Observation("d", at, MAIN_JSON, error="tiempo de espera agotado (10 s)"))
        else:
            lag = timedelta(minutes=40) if late else timedelta(0)
            corte = official + timedelta(minutes=15 * (minute // 15)) - lag
            probes.append(
                Observation(
                    "d",
                    at,
                    MAIN_JSON,
                    status=200,
                    corte=corte,
                    official_corte=official + timedelta(minutes=15 * (minute // 15)),
                )
            )
    return [evaluate_availability(probes, rules), evaluate_missed_periods(probes, rules)]


def load_result(*, failing: bool) -> CheckResult:
    points = [
        Point(
            at=1_800_000_000.0 + s,
            users=min(50, 5 * (s + 1)),
            rate=min(100.0, 10.0 * (s + 1)) * (0.8 if failing and s > 30 else 1.0),
            failure_rate=0.5 if failing and s > 40 else 0.0,
            p95_ms=(180.0 + 40 * max(0, s - 25)) if failing else 120.0 + (s % 7) * 5,
            total_requests=100 * s,
            total_failures=0,
            p50_ms=60.0 + (s % 5) * 3,
            p99_ms=(400.0 + 60 * max(0, s - 25)) if failing else 300.0 + (s % 9) * 10,
        )
        for s in range(60)
    ]
    totals = Totals(
        5400, 40 if failing else 0, 70, 1450 if failing else 150, 2900 if failing else 380, 3100, 90
    )
    limits = Thresholds(
        p95_ms=1000, p99_ms=3000, max_error_rate=0.01, target_rate=100, min_rate_ratio=0.9
    )
    evidence: dict[str, Any] = {
        "forma": "steady",
        "usuarios": 50,
        "sol_por_segundo_objetivo": 100,
        "duracion_total_s": 60,
        "serie": series(points),
    }
    window = (1000.0, 1119.0)
    samples = tuple((1000.0 + i, "local", 41.0 if i % 3 else 77.5) for i in range(120))
    generator = Generator(samples, window)
    measured = LoadMeasurement(totals, 86.0 if failing else 99.0, limits, generator, evidence)
    return capacity(measured)


def png_base64(colour: tuple[int, int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def failing_results() -> list[CheckResult]:
    """Records with every status: fail, warn, error, skipped, not_applicable, pass."""
    files = [
        FileOutcome("index.html", "identical", 200, 2048, 2048, None, ""),
        FileOutcome(
            "json/diputaciones/distrito_07.json",
            "modified",
            200,
            5120,
            5188,
            1037,
            "contenido distinto",
        ),
        FileOutcome(
            "csv/VER_DIP_LOC_2021.csv",
            "modified",
            200,
            90_000,
            90_000,
            88_211,
            "contenido distinto",
        ),
        FileOutcome(
            "json/ayuntamientos/municipio_204.json", "missing", 404, 3000, None, None, "HTTP 404"
        ),
    ]
    results = [
        evaluate_reachable([snapshot(BASE, 200)]),
        evaluate_main_json_cache_control(
            snapshot(headers=[("cache-control", "public, max-age=600")])
        ),
        evaluate_hsts(snapshot(BASE)),
        evaluate_security(
            snapshot(BASE, headers=[("x-frame-options", "DENY")]),
            site_url=BASE,
            embed_url="https://www.muestra.edu.mx/elecciones",
        ),
        evaluate_compression(
            {
                "html": snapshot(BASE, body=b"x" * 4000),
                "json": snapshot(body=b"y" * 4000, headers=[("content-encoding", "gzip")]),
            }
        ),
        evaluate_files_identical(files),
        evaluate_no_missing_files(files),
        evaluate_enabled(tls_scan(legacy=True)),
        evaluate_protocols(tls_scan(legacy=True)),
        evaluate_ciphers(tls_scan(legacy=True), PROFILES["6.0"]),
        error(
            "site.public-folder",
            f"No se pudo consultar la carpeta prepver2021: conexión rechazada por {BASE}",
        ),
        outcome(
            "freshness.corte-current",
            False,
            "El difusor está 45 min atrás del último corte oficial (01/12/2026 14:00)",
            corte_difusor="2026-12-01T13:15:00-06:00",
            corte_oficial="2026-12-01T14:00:00-06:00",
            retraso_minutos=45.0,
            intervalo_minutos=15.0,
            fuente_oficial="paquetes oficiales",
        ),
        outcome(
            "render.pages-match-reference",
            False,
            "1 de 10 páginas difiere de la referencia: #/diputaciones (celular): 1,204 píxeles "
            "distintos (0.3400%)",
            paginas=[
                {
                    "pagina": "#/diputaciones",
                    "vista": "celular",
                    "cumple": False,
                    "nota": "1,204 píxeles distintos",
                    "pixeles_distintos": 1204,
                    "pixeles_totales": 354_120,
                    "proporcion": 0.0034,
                }
            ],
            tolerancia={
                "max_diff_pixels": 0,
                "max_diff_ratio": None,
                "threshold": 0.1,
                "mascaras": [],
            },
            imagenes=[
                {
                    "nombre": "#/diputaciones (celular) — referencia",
                    "png_base64": png_base64((240, 240, 240)),
                },
                {
                    "nombre": "#/diputaciones (celular) — difusor",
                    "png_base64": png_base64((250, 230, 230)),
                },
                {
                    "nombre": "#/diputaciones (celular) — diferencias",
                    "png_base64": png_base64((255, 0, 0)),
                },
            ],
        ),
        not_applicable(
            "render.embedded",
            "No aplica: el difusor no declara un portal que embeba las páginas (embed_url).",
        ),
        skipped("sftp.reachable", "no configurado (difusor.sftp)"),
        load_result(failing=True),
        *monitor_results(failing=True),
    ]
    return results


def all_passing() -> list[CheckResult]:
    found = []
    for check_id in CATALOGUE:
        if check_id == "render.embedded":
            found.append(not_applicable(check_id, "No aplica: sin portal que embeba las páginas."))
        elif check_id == "headers.hsts":
            found.append(evaluate_hsts(snapshot(BASE)))  # an advisory warning: still CUMPLE
        elif check_id == "load.capacity":
            found.append(load_result(failing=False))
        elif check_id.startswith("tls.") and check_id in ("tls.enabled", "tls.protocols"):
            found.append(
                (evaluate_enabled if check_id == "tls.enabled" else evaluate_protocols)(
                    tls_scan(legacy=False)
                )
            )
        else:
            found.append(passing(check_id))
    by_id = {r.id: r for r in found}
    for result in monitor_results(failing=False):
        by_id[result.id] = result
    return list(by_id.values())


def run_measured_passing() -> list[CheckResult]:
    """What a checklist run alone measures, all passing: the verdict is INCOMPLETO."""
    return [
        r
        for r in all_passing()
        if spec(r.id).measured_by == "run" and not spec(r.id).id.startswith(("sftp.", "ingest."))
    ]


def unreachable() -> list[CheckResult]:
    """A difusor that does not answer: every run-measured check is ``error``."""
    reason = f"No se pudo consultar {BASE}: conexión rechazada"
    return [error(cid, reason) for cid, check in CATALOGUE.items() if check.measured_by == "run"]


def documents() -> dict[str, dict[str, Any]]:
    """name → document: every verdict, every status, an interrupted run, hostile strings."""
    cumple = document("cumple", all_passing())
    no_cumple = document("no-cumple", failing_results())
    no_cumple["previous"] = summary(cumple)
    incompleto = document("incompleto", run_measured_passing())
    interrumpido = document("interrumpido", run_measured_passing()[:12])
    interrumpido["interrupted"] = {
        "at": "2026-12-01T20:07:10+00:00",
        "note": "Ctrl-C: revisión detenida por la persona que la ejecutaba",
    }
    hostile = [
        replace(
            r,
            message=f"{r.message} {HOSTILE}",
            evidence={**r.evidence, "nota": HOSTILE, HOSTILE: [HOSTILE]},
        )
        for r in failing_results()
    ]
    hostil = document("hostil", hostile, display=f"Difusor {HOSTILE}")
    hostil["base_url"] = f"https://x/{HOSTILE}"
    hostil["election"] = HOSTILE
    hostil["interrupted"] = {"at": FINISHED, "note": HOSTILE}
    hostil["previous"] = summary(cumple)
    return {
        "cumple": cumple,
        "no-cumple": no_cumple,
        "incompleto": incompleto,
        "interrumpido": interrumpido,
        "caido": document("caido", unreachable()),
        "hostil": hostil,
    }


def required_ids() -> list[str]:
    return [cid for cid, check in CATALOGUE.items() if check.severity is Severity.REQUIRED]
