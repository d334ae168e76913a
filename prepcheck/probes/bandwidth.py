"""The bandwidth download for ``load.bandwidth``: the package's largest files, again and again.

Contract: ``measure_bandwidth`` reads ``main.json`` to find the CSV databases (the largest files
of a PREP package), then downloads them over ``streams`` parallel verified-TLS connections,
uncompressed (``Accept-Encoding: identity``: the bytes a citizen's link must carry), again and
again until ``seconds`` have passed; each request is bounded by the difusor's timeout. It
returns what it measured (``BandwidthMeasurement``) and never raises for network trouble: that
is recorded as a failure, or as ``unavailable`` when there is no file to download. The judging
is ``prepcheck.checks.load.bandwidth``.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import cycle
from urllib.parse import urljoin

import httpx

from prepcheck.config import Difusor
from prepcheck.probes.http import fetch, make_client
from prepcheck.snapshots.load import BandwidthMeasurement

_CHUNK = 256 * 1024


@dataclass
class _Tally:
    bytes: int = 0
    downloads: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, size: int, *, complete: bool) -> None:
        with self.lock:
            self.bytes += size
            self.downloads += int(complete)


def largest_files(difusor: Difusor, folder: str) -> list[str] | str:
    """URLs of the CSV databases named by main.json, or a Spanish reason why not."""
    url = difusor.main_json_url(folder)
    with make_client(difusor.ca_file, difusor.timeout_seconds) as client:
        snapshot = fetch(client, url)
    if not snapshot.ok:
        return f"main.json no disponible ({snapshot.error or snapshot.status})"
    try:
        elecciones = json.loads(snapshot.body)["elecciones"].values()
        paths = sorted({e["csv"] for e in elecciones})
    except (ValueError, KeyError, TypeError, AttributeError):
        return "main.json no nombra las bases de datos CSV (elecciones.*.csv)"
    folder_url = difusor.folder_url(folder)
    return [urljoin(folder_url, path) for path in paths] or "main.json no nombra ningún CSV"


def _download_loop(urls: list[str], difusor: Difusor, deadline: float, tally: _Tally) -> None:
    with make_client(difusor.ca_file, difusor.timeout_seconds) as client:
        for url in cycle(urls):
            if time.monotonic() >= deadline:
                return
            try:
                with client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as reply:
                    if reply.status_code != 200:
                        tally.failures.append(f"{url}: HTTP {reply.status_code}")
                        return
                    for chunk in reply.iter_raw(_CHUNK):
                        tally.add(len(chunk), complete=False)
                        if time.monotonic() >= deadline:
                            return
                    tally.add(0, complete=True)
            except (httpx.HTTPError, OSError) as exc:
                tally.failures.append(f"{url}: {type(exc).__name__}: {exc}")
                return


def measure_bandwidth(
    difusor: Difusor, folder: str, *, seconds: float, streams: int
) -> BandwidthMeasurement:
    """Download for ``seconds`` over ``streams`` connections (see the module contract)."""
    urls = largest_files(difusor, folder)
    if isinstance(urls, str):
        return BandwidthMeasurement(streams=streams, unavailable=urls)
    tally = _Tally()
    started = time.monotonic()
    deadline = started + seconds
    with ThreadPoolExecutor(max_workers=streams) as pool:
        jobs = [pool.submit(_download_loop, urls, difusor, deadline, tally) for _ in range(streams)]
    for job in jobs:
        job.result()  # a bug in the loop must surface, not read as low bandwidth
    return BandwidthMeasurement(
        files=tuple(urls),
        bytes=tally.bytes,
        seconds=max(time.monotonic() - started, 1e-6),
        streams=streams,
        downloads=tally.downloads,
        failures=tuple(tally.failures),
    )
