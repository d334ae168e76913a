"""Evaluators for how files are served: ``headers.main-json-content-type`` and
``headers.compression``.

Contract: pure functions from snapshots to CheckResults; failed requests give error results;
bodies under :data:`MIN_COMPRESSIBLE_BYTES` are not judged for compression.
"""

from __future__ import annotations

from prepcheck.checks.registry import check
from prepcheck.results import CheckResult, error, outcome
from prepcheck.snapshots.http import HttpSnapshot
from prepcheck.snapshots.observer import Observer, Unobserved

# -- headers.main-json-content-type -------------------------------------------------------------


def media_type(value: str | None) -> str | None:
    """The media type of a Content-Type value, lower-cased, without parameters."""
    if value is None:
        return None
    return value.split(",")[0].split(";")[0].strip().lower() or None


def evaluate_main_json_content_type(snapshot: HttpSnapshot) -> CheckResult:
    """``headers.main-json-content-type``: main.json is served as ``application/json``.

    Outcomes: ``content-type-ok`` (pass; a charset parameter is fine); ``content-type-wrong``
    or ``content-type-missing`` (warn; fix: map ``.json`` to ``application/json`` in the
    server's MIME types); request failed → error.
    """
    check = "headers.main-json-content-type"
    evidence: dict[str, object] = {"solicitud": snapshot.summary()}
    if not snapshot.ok or snapshot.status != 200:
        reason = snapshot.error or f"HTTP {snapshot.status}"
        return error(check, f"No se pudo consultar main.json: {reason}", **evidence)
    value = snapshot.header("content-type")
    evidence["content_type"] = value
    if value is None:
        return outcome(
            check,
            False,
            "main.json se sirve sin Content-Type",
            resultado="content-type-missing",
            **evidence,
        )
    if media_type(value) != "application/json":
        return outcome(
            check,
            False,
            f"main.json se sirve como {value}, no application/json",
            resultado="content-type-wrong",
            **evidence,
        )
    return outcome(
        check, True, f"main.json se sirve como {value}", resultado="content-type-ok", **evidence
    )


# -- headers.compression ------------------------------------------------------------------------

ACCEPT_ENCODING = {"Accept-Encoding": "br, gzip"}
_COMPRESSED = ("gzip", "br", "zstd", "deflate")
#: Bodies this small are not worth compressing; servers rightly skip them.
MIN_COMPRESSIBLE_BYTES = 1024


def evaluate_compression(snapshots: dict[str, HttpSnapshot]) -> CheckResult:
    """``headers.compression``: HTML, JSON and CSV are served compressed when asked.

    ``snapshots`` maps a kind (``html``, ``json``, ``csv``) to a response requested with
    ``Accept-Encoding: br, gzip``. Outcomes: ``compression-ok`` (pass); ``compression-missing``
    (warn; fix: enable gzip or brotli for text/html, application/json and text/csv); every
    request failed → error. Bodies under 1 KiB are not judged.
    """
    check = "headers.compression"
    rows = []
    missing = []
    for kind, snap in snapshots.items():
        encoding = (snap.header("content-encoding") or "").strip().lower()
        rows.append(
            {
                "tipo": kind,
                "url": snap.url,
                "status": snap.status,
                "content_encoding": encoding or None,
                "bytes": len(snap.body),
                "error": snap.error,
                **({"detalle_tecnico": snap.error_detail} if snap.error_detail else {}),
            }
        )
        small = len(snap.body) < MIN_COMPRESSIBLE_BYTES
        if snap.ok and snap.status == 200 and encoding not in _COMPRESSED and not small:
            missing.append(kind)
    judged = [s for s in snapshots.values() if s.ok and s.status == 200]
    if not judged:
        first = next(iter(snapshots.values()), None)
        reason = (first.error or f"HTTP {first.status}") if first else "sin archivos"
        return error(
            check,
            f"No se pudo consultar ningún archivo para revisar la compresión: {reason}",
            archivos=rows,
        )
    if missing:
        return outcome(
            check,
            False,
            f"Sin compresión: {', '.join(missing)}",
            resultado="compression-missing",
            archivos=rows,
        )
    return outcome(
        check,
        True,
        "HTML, JSON y CSV se sirven comprimidos",
        resultado="compression-ok",
        archivos=rows,
    )


@check("headers.main-json-content-type")
def main_json_content_type(seen: Observer) -> CheckResult:
    return evaluate_main_json_content_type(seen.get(seen.main_json_url))


@check("headers.compression")
def compression(seen: Observer) -> CheckResult:
    urls = {"html": seen.folder_url, "json": seen.main_json_url}
    for kind, suffix in (("json", ".json"), ("csv", ".csv")):
        relative = _sample_file(seen, suffix)
        if relative is not None:
            urls[kind] = seen.folder_url + relative
    asked = dict(ACCEPT_ENCODING)
    return evaluate_compression({kind: seen.get(url, asked) for kind, url in urls.items()})


def _sample_file(seen: Observer, suffix: str) -> str | None:
    """A package file of that kind, big enough to compress (the smallest such, to stay cheap)."""
    try:
        official = seen.usable_official()
    except Unobserved:
        return None
    folder = official.folder + "/"
    sized = [
        e for e in official.manifest if e.path.endswith(suffix) and e.size >= MIN_COMPRESSIBLE_BYTES
    ]
    best = min(sized, key=lambda e: e.size, default=None)
    return best.path.removeprefix(folder) if best else None
