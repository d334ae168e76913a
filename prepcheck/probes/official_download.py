"""Downloading the official package when the configuration gives it by URL.

Contract: ``download_package(url)`` writes the package into a fresh temporary folder and
returns its path; it is bounded in size (``MAX_DOWNLOAD_BYTES``) and time, verifies TLS, and
raises ``ProbeError`` with a Spanish reason for any failure (the caller records it as the
package's digest problem, so every check depending on the package says why).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from prepcheck.errors import ProbeError

MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024
DOWNLOAD_DEADLINE_S = 600.0


def download_package(url: str, *, deadline_s: float = DOWNLOAD_DEADLINE_S) -> Path:
    """Download ``url`` (see the module contract)."""
    name = Path(urlsplit(url).path).name or "paquete"
    target = Path(tempfile.mkdtemp(prefix="prepcheck-package-")) / name
    stop_at = time.monotonic() + deadline_s
    size = 0
    try:
        with httpx.stream("GET", url, timeout=60.0, follow_redirects=True) as response:
            if response.status_code != 200:
                raise ProbeError(f"el servidor respondió HTTP {response.status_code}", url=url)
            with target.open("wb") as handle:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD_BYTES:
                        raise ProbeError("la descarga excede el tamaño máximo", url=url)
                    if time.monotonic() > stop_at:
                        raise ProbeError(f"la descarga tardó más de {deadline_s:g} s", url=url)
                    handle.write(chunk)
    except httpx.HTTPError as exc:
        raise ProbeError(f"falló la descarga ({type(exc).__name__})", url=url) from None
    except OSError as exc:
        raise ProbeError(f"no se pudo guardar la descarga ({exc.strerror})", url=url) from None
    return target
