"""``host.history-kept``: every received package is kept, with its digest, still intact.

Layout (``prepcheck.ingest``): ``history/<package>``, ``history/<package>.<algorithm>``
(sha256sum format) and ``history/ingest.log`` (JSON lines; ``event == "published"`` names a
``package``). Hidden files (in-flight copies) are ignored. Difusores with their own procedure
and no ingest.log are judged on the folder alone (said in the evidence).

Contract of ``check_history``:

* pass  at least one package; each has a sidecar and matches it; every package ingest.log says
  was published is present;
* fail  a package without sidecar, a mismatch, an unreadable package, a sidecar without its
  package, or a published package missing (counts plus the first ``max_problems``, each
  named); fix: restore the package from the OPLE's copy and keep it with its digest;
* error the folder does not exist or holds no package at all (nothing to verify yet).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from prepcheck.archive.digest import SIDECAR_SUFFIXES, find_sidecar, verify_digest
from prepcheck.errors import PackageError
from prepcheck.ingest import LOG_NAME
from prepcheck.results import CheckResult, error, outcome

CHECK_ID = "host.history-kept"
_KIND_ES = {
    "sin_huella": "sin archivo de huella",
    "no_coincide": "no coincide con su huella",
    "ilegible": "no se puede leer",
    "huella_sin_paquete": "huella sin su paquete",
    "falta_publicado": "publicado según ingest.log pero ausente",
}


def published_packages(history: Path) -> tuple[set[str], int]:
    """Package names ingest.log records as published, and its count of unreadable lines."""
    log = history / LOG_NAME
    names: set[str] = set()
    bad = 0
    if not log.exists():
        return names, bad
    with open(log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                event = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if not isinstance(event, dict):
                bad += 1
            elif event.get("event") == "published" and isinstance(event.get("package"), str):
                names.add(Path(event["package"]).name)
    return names, bad


def _entries(history: Path) -> tuple[list[Path], list[Path]]:
    packages: list[Path] = []
    sidecars: list[Path] = []
    for path in sorted(history.iterdir()):
        if path.name.startswith(".") or path.name == LOG_NAME or not path.is_file():
            continue
        is_sidecar = path.suffix.lower() in SIDECAR_SUFFIXES
        (sidecars if is_sidecar else packages).append(path)
    return packages, sidecars


def _verify(package: Path) -> tuple[str, str] | None:
    """None when intact, else (kind, detail)."""
    sidecar = find_sidecar(package)
    if sidecar is None:
        return "sin_huella", ""
    try:
        verify_digest(package, sidecar=sidecar)
    except PackageError as exc:
        return "no_coincide", str(exc)
    except OSError as exc:
        return "ilegible", exc.strerror or str(exc)
    return None


def check_history(history: Path, max_problems: int = 20) -> CheckResult:
    """Judge the history folder; see the module contract."""
    if not history.is_dir():
        return error(CHECK_ID, f"No existe la carpeta de históricos {history}.")
    packages, sidecars = _entries(history)
    published, bad_lines = published_packages(history)
    if not packages and not published:
        return error(CHECK_ID, f"La carpeta {history} no contiene paquetes: nada que verificar.")
    problems: list[tuple[str, str, str]] = []
    for package in packages:
        found = _verify(package)
        if found is not None:
            problems.append((package.name, *found))
    names = {p.name for p in packages}
    for sidecar in sidecars:
        if sidecar.name[: -len(sidecar.suffix)] not in names:
            problems.append((sidecar.name, "huella_sin_paquete", ""))
    problems += [(n, "falta_publicado", "") for n in sorted(published - names)]
    counts = Counter(kind for _, kind, _ in problems)
    evidence: dict[str, Any] = {
        "carpeta": str(history),
        "paquetes": len(packages),
        "integros": len(packages)
        - sum(counts[k] for k in ("sin_huella", "no_coincide", "ilegible")),
        "publicados_segun_ingest_log": len(published) if (history / LOG_NAME).exists() else None,
        "lineas_ilegibles_ingest_log": bad_lines,
        "problemas_por_tipo": dict(counts),
        "problemas": [
            {"archivo": name, "problema": _KIND_ES[kind], "detalle": detail}
            for name, kind, detail in problems[:max_problems]
        ],
    }
    if not (history / LOG_NAME).exists():
        evidence["nota"] = "sin ingest.log: solo se verificó el contenido de la carpeta"
    if problems:
        first = "; ".join(f"{name} ({_KIND_ES[kind]})" for name, kind, _ in problems[:3])
        more = f" y {len(problems) - 3} más" if len(problems) > 3 else ""
        return outcome(CHECK_ID, False, f"{len(problems)} problema(s): {first}{more}.", **evidence)
    return outcome(
        CHECK_ID,
        True,
        f"{len(packages)} paquete(s) conservados, cada uno con su huella.",
        **evidence,
    )
