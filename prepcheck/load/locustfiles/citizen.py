"""A citizen on election night, for Locust: ``locust -f citizen.py,shapes.py`` (this folder).

Each user behaves like a browser on the PREP site: it opens ``index.html`` and its assets
(static files are kept while their ``Cache-Control``/``Expires`` allow; ``main.json`` is never
kept), polls ``main.json`` at the site's own ``refrescoSegundos`` (or the configured interval),
drills into the election, distrito/municipio and sección views (data JSON is revalidated with
its ETag, as the site's ``fetch(..., {cache: "no-cache"})`` does) and now and then downloads a
CSV database. Task weights, the paced request rate, the TLS trust and the expected corte come
from the JSON plan named by ``PREPCHECK_LOAD_PLAN`` (written by ``prepcheck load``).

Content-level failures (``main.json`` not parseable, an older corte than expected, a page that
is not HTML) are reported with ``catch_response`` so they count as errors like HTTP failures.
Requests are grouped with ``name=`` (``json/diputaciones/distrito_[id].json``).

TLS is always verified: against the plan's rehearsal CA when given, else the system store.
This file must not import prepcheck: remote workers need only Locust and the plan.
"""

from __future__ import annotations

import json
import random
import re
import ssl
import time
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import generators  # the per-generator bookkeeping (register below)
from locust import FastHttpUser
from shapes import StagesShape, read_plan  # noqa: F401 - locust picks the shape up here

PLAN = read_plan()
DEFAULT_REFRESH_SECONDS = 60.0
ASSETS = ("assets/app.css", "assets/app.js")
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)")

# Per-process knowledge shared by all users: the ambitos each resumen lists, the secciones
# each detalle lists (parsed once per process and corte, to keep the generator's CPU for load).
_AMBITOS: dict[tuple[str, str], list[str]] = {}
_SECCIONES: dict[str, list[int]] = {}


def _ssl_context_factory(cafile: str | None = None) -> ssl.SSLContext:
    """A verifying context: the plan's CA, else the system store (geventhttpclient's default
    ``cafile`` argument is deliberately ignored so a rehearsal CA is never mixed with it)."""
    del cafile
    context = ssl.create_default_context(cafile=PLAN["ca_file"]) if PLAN["ca_file"] else None
    return context or ssl.create_default_context()


def _freshness(headers: Any, now: float) -> float:
    """Until when a response may be reused without asking (0: never), per RFC 9111 basics."""
    control = (headers.get("cache-control") or "").lower()
    if "no-store" in control or "no-cache" in control:
        return 0.0
    match = _MAX_AGE.search(control)
    if match:
        return now + int(match.group(1))
    expires = headers.get("expires")
    if expires:
        try:
            return parsedate_to_datetime(expires).timestamp() - time.time() + now
        except (TypeError, ValueError):
            return 0.0
    return 0.0


def _newer_or_equal(corte: str, expected: str) -> bool:
    try:
        return datetime.fromisoformat(corte) >= datetime.fromisoformat(expected)
    except (TypeError, ValueError):
        return False


class Citizen(FastHttpUser):
    """One citizen's browser; see the module docstring."""

    host = PLAN["host"]
    insecure = False
    ssl_context_factory = staticmethod(_ssl_context_factory)
    network_timeout = float(PLAN["timeout_seconds"])
    connection_timeout = float(PLAN["timeout_seconds"])
    default_headers = {"User-Agent": "prepcheck-load/1 (ciudadano simulado)"}  # noqa: RUF012

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.folder = PLAN["folder_path"]
        self.pace = float(PLAN["rate"]) / int(PLAN["users"])
        self.started = time.monotonic()
        self.sent = 0
        self.cache: dict[str, tuple[float, str | None, str | None]] = {}
        self.main: dict[str, Any] = {}
        self.last_poll = -1e9

    # -- pacing: each user sends rate/users requests per second at most ----------------------

    def wait_time(self) -> float:
        due = self.started + self.sent / self.pace
        return max(0.0, due - time.monotonic())

    # -- the HTTP layer of the browser ----------------------------------------------------------

    def fetch(self, path: str, name: str, *, reuse: bool = False) -> Any:
        """GET ``path`` (under the host) like the browser would: with the validators we hold,
        and, when ``reuse`` (static assets), not at all while the cached copy is fresh.

        Returns the response context (``catch_response``) or ``None`` when no request was sent.
        """
        fresh_until, etag, modified = self.cache.get(path, (0.0, None, None))
        if reuse and fresh_until > time.monotonic():
            return None
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        elif modified:
            headers["If-Modified-Since"] = modified
        self.sent += 1
        return self.client.get(path, name=name, headers=headers, catch_response=True)

    def remember(self, path: str, response: Any) -> None:
        """Keep validators and freshness of a 200 (a 304 keeps what we had, refreshed)."""
        if response.status_code == 304 and path in self.cache:
            _, etag, modified = self.cache[path]
        else:
            etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
        self.cache[path] = (_freshness(response.headers, time.monotonic()), etag, modified)

    # -- views ----------------------------------------------------------------------------------

    def on_start(self) -> None:
        self.open_site()

    def open_site(self) -> None:
        """index.html, its CSS and JS (cached per their headers), then main.json."""
        index = self.folder + "index.html"
        page = self.fetch(index, "index.html", reuse=True)
        if page is not None:
            with page as response:
                if response.status_code == 200 and b"<html" not in response.content[:512].lower():
                    response.failure("index.html no es una página HTML")
                self.remember(index, response)
        for asset in ASSETS:
            pending = self.fetch(self.folder + asset, asset, reuse=True)
            if pending is not None:
                with pending as response:
                    self.remember(self.folder + asset, response)
        self.poll_main()

    def poll_main(self) -> None:
        """main.json, never cached; content failures: not JSON, no corte, an older corte."""
        self.last_poll = time.monotonic()
        with self.fetch(PLAN["main_json_path"], "json/main.json") as response:
            if response.status_code != 200:
                return
            try:
                main = json.loads(response.content)
                corte = main["corte"]
                main["elecciones"].items()
            except (ValueError, KeyError, TypeError, AttributeError):
                response.failure("main.json no es JSON válido con corte y elecciones")
                return
            expected = PLAN["expected_corte"]
            if expected and not _newer_or_equal(corte, expected):
                response.failure(f"main.json con corte {corte}; se esperaba {expected} o posterior")
                return
            self.main = main

    def maybe_poll(self) -> None:
        refresh = PLAN["refresh_seconds"] or self.main.get("refrescoSegundos")
        interval = float(refresh or DEFAULT_REFRESH_SECONDS)
        if not self.main or time.monotonic() - self.last_poll >= interval:
            self.poll_main()

    def election(self, ambito: str) -> tuple[str, dict[str, Any]] | None:
        for election_id, election in self.main.get("elecciones", {}).items():
            if election.get("ambito") == ambito:
                return election_id, election
        return None

    def data(self, path: str, name: str) -> Any:
        """A data JSON under the folder, always revalidated (the site fetches with
        ``cache: "no-cache"``); returns the parsed document of a 200, else ``None``."""
        path = self.folder + path
        with self.fetch(path, name) as response:
            self.remember(path, response)
            if response.status_code != 200:
                return None
            try:
                return json.loads(response.content)
            except ValueError:
                response.failure(f"{name} no es JSON válido")
                return None

    def home(self) -> None:
        """The home view: every election's state-wide summary."""
        self.maybe_poll()
        for election_id, election in self.main.get("elecciones", {}).items():
            self.summary(election_id, election)

    def summary(self, election_id: str, election: dict[str, Any]) -> list[str]:
        key = (election_id, str(self.main.get("corte")))
        document = self.data(election["resumen"], f"json/{election_id}/resumen.json")
        if document is not None and key not in _AMBITOS:
            _AMBITOS[key] = [a["url"] for a in document.get("ambitos", []) if "url" in a]
        return _AMBITOS.get(key, [])

    def drill(self, ambito: str, *, to_seccion: bool = False) -> None:
        """Election view, then one distrito/municipio (and maybe one of its secciones)."""
        self.maybe_poll()
        found = self.election(ambito)
        if found is None:
            return
        election_id, election = found
        urls = self.summary(election_id, election)
        if not urls:
            return
        url = random.choice(urls)
        document = self.data(url, f"json/{election_id}/{ambito}_[id].json")
        if document is not None and url not in _SECCIONES:
            _SECCIONES[url] = [int(s) for s in document.get("secciones", [])]
        secciones = _SECCIONES.get(url)
        if to_seccion and secciones:
            path = election["seccion"].replace("{id}", f"{random.choice(secciones):04d}")
            self.data(path, f"json/{election_id}/seccion/[id].json")

    def csv(self) -> None:
        """Download one election's CSV database (the biggest files of the package)."""
        self.maybe_poll()
        elections = list(self.main.get("elecciones", {}).values())
        if not elections:
            return
        path = random.choice(elections)["csv"]
        with self.fetch(self.folder + path, f"csv/{Path(path).name}") as response:
            self.remember(self.folder + path, response)
            if response.status_code == 200 and b"\n" not in response.content[:4096]:
                response.failure(f"{path} no parece un CSV")


def _inicio(user: Citizen) -> None:
    user.home()


def _distrito(user: Citizen) -> None:
    user.drill("distrito")


def _municipio(user: Citizen) -> None:
    user.drill("municipio")


def _seccion(user: Citizen) -> None:
    user.drill(random.choice(("distrito", "municipio")), to_seccion=True)


def _csv(user: Citizen) -> None:
    user.csv()


_TASKS = {"inicio": _inicio, "distrito": _distrito, "municipio": _municipio}
_TASKS |= {"seccion": _seccion, "csv": _csv}
Citizen.tasks = {  # type: ignore[assignment]  # Locust takes {task: weight} too
    _TASKS[name]: weight for name, weight in PLAN["weights"].items() if weight > 0
}


generators.register(PLAN.get("summary_path"))
