"""A Playwright session on Debian's chromium that trusts exactly the configured rehearsal CA.

Contract: ``BrowserSession`` launches ``/usr/bin/chromium`` (never a downloaded browser) with
background networking off, in a temporary HOME whose NSS database (``$HOME/.pki/nssdb``) holds
the given CA files as trusted issuers and nothing else; certificate verification stays on, so a
server whose chain does not lead to those CAs (or the system store) is rejected by the browser.
Every wait is bounded by ``timeout_s``. ``close`` ends the browser and removes the temporary
HOME; the session is a context manager. Launch problems raise ``BrowserError``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Page,
    Playwright,
    sync_playwright,
)

from prepcheck.errors import ProbeError
from prepcheck.lifecycle import Service

CHROMIUM = Path("/usr/bin/chromium")
CERTUTIL = "certutil"
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # Identical rendering between runs: no font hinting or LCD text differences.
    "--font-render-hinting=none",
    "--disable-lcd-text",
)


class BrowserError(ProbeError):
    """The browser could not be prepared or launched."""


@dataclass
class PageLog:
    """What went wrong while a page loaded: console errors, uncaught exceptions, failed requests."""

    problems: list[str] = field(default_factory=list)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.problems.append(f"excepción JS: {exc}"))
        page.on("request", lambda _req: self._activity(+1))
        page.on("requestfinished", lambda _req: self._activity(-1))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _activity(self, change: int) -> None:
        self.in_flight = max(0, self.in_flight + change)
        self.last_activity = time.monotonic()

    def _failed(self, request: object) -> None:
        self._activity(-1)
        url, failure = getattr(request, "url", ""), getattr(request, "failure", "")
        self.problems.append(f"solicitud fallida: {url} ({failure})")

    def wait_network_quiet(self, page: Page, quiet_s: float, timeout_s: float) -> bool:
        """Wait until no request has been in flight for ``quiet_s`` (at most ``timeout_s``).

        Playwright's ``networkidle`` needs 500 ms of silence; a shorter window, measured on this
        page's own request events, keeps a run of many pages fast.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= quiet_s:
                return True
            page.wait_for_timeout(25)  # also lets Playwright deliver pending events
        return False

    def _console(self, message: object) -> None:
        if getattr(message, "type", "") == "error":
            self.problems.append(f"consola: {getattr(message, 'text', '')}")

    def _response(self, response: object) -> None:
        status = int(getattr(response, "status", 0))
        if status >= 400:
            self.problems.append(f"HTTP {status}: {getattr(response, 'url', '')}")


def make_nss_home(directory: Path, ca_files: Sequence[Path]) -> Path:
    """Create ``directory/.pki/nssdb`` trusting ``ca_files`` as CAs; return ``directory``."""
    database = directory / ".pki" / "nssdb"
    database.mkdir(parents=True, exist_ok=True)
    _certutil("-N", "-d", f"sql:{database}", "--empty-password")
    for index, ca_file in enumerate(ca_files):
        _certutil(
            "-A", "-d", f"sql:{database}", "-n", f"prepcheck-ca-{index}", "-t", "C,,", "-i", ca_file
        )
    return directory


def _certutil(*args: object) -> None:
    if shutil.which(CERTUTIL) is None:
        raise BrowserError("certutil no está instalado (paquete Debian libnss3-tools)")
    try:
        subprocess.run(
            [CERTUTIL, *map(str, args)], check=True, capture_output=True, text=True, timeout=30
        )
    except subprocess.CalledProcessError as exc:
        raise BrowserError(f"certutil falló: {exc.stderr.strip() or exc}") from None
    except subprocess.TimeoutExpired:
        raise BrowserError("certutil no terminó en 30 s") from None


class BrowserSession(Service):
    """One chromium process for one difusor (its CA trusted); see the module contract."""

    def __init__(
        self,
        ca_files: Sequence[Path] = (),
        *,
        timeout_s: float = 20.0,
        executable: Path = CHROMIUM,
    ) -> None:
        self.ca_files = tuple(ca_files)
        self.timeout_ms = timeout_s * 1000
        self.executable = executable
        self._home: Path | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._contexts: dict[tuple[int, int], BrowserContext] = {}

    def start(self) -> None:
        if not self.executable.exists():
            raise BrowserError(f"no se encontró el navegador {self.executable} (paquete chromium)")
        self._home = Path(tempfile.mkdtemp(prefix="prepcheck-browser-"))
        try:
            make_nss_home(self._home, self.ca_files)
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=str(self.executable),
                args=list(LAUNCH_ARGS),
                env={**os.environ, "HOME": str(self._home)},
                timeout=self.timeout_ms,
            )
        except Error as exc:
            self.close()
            raise BrowserError(f"no se pudo iniciar chromium: {exc.message}") from None
        except BaseException:
            self.close()
            raise

    @property
    def browser(self) -> Browser:
        if self._browser is None:
            raise BrowserError("browser session not started")
        return self._browser

    @contextmanager
    def page(self, width: int, height: int) -> Iterator[tuple[Page, PageLog]]:
        """A fresh page at ``width``×``height`` with its own log, closed on exit.

        Pages of the same size share one browser context (created once: it costs a quarter of
        a second); the contexts live until ``close``.
        """
        page = self._context(width, height).new_page()
        log = PageLog()
        log.attach(page)
        try:
            yield page, log
        finally:
            page.close()

    def _context(self, width: int, height: int) -> BrowserContext:
        if (width, height) not in self._contexts:
            context = self.browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                reduced_motion="reduce",
                locale="es-MX",
                timezone_id="America/Mexico_City",
                service_workers="block",
            )
            context.set_default_timeout(self.timeout_ms)
            self._contexts[(width, height)] = context
        return self._contexts[(width, height)]

    def stop(self) -> None:
        """Close the browser and remove its temporary home (same as ``close``)."""
        self.close()

    def close(self) -> None:
        """Close the browser and remove the temporary HOME (idempotent)."""
        self._contexts.clear()
        if self._browser is not None:
            with suppress(Error):
                self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None
