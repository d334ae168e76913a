"""A Playwright session on Debian's chromium that trusts exactly the configured rehearsal CA.

Contract: ``BrowserSession`` launches Debian's chromium (never a downloaded browser): its headless
shell ``/usr/bin/chromium-headless-shell`` when installed, else ``/usr/bin/chromium``
(``default_browser``). Both are the same Blink build and draw the same pixels; the shell, the
headless mode Playwright itself uses, spends about a third of the CPU per page. It runs with
background networking off, in a temporary HOME whose NSS database (``$HOME/.pki/nssdb``) holds
the given CA files as trusted issuers and nothing else; certificate verification stays on, so a
server whose chain does not lead to those CAs (or the system store) is rejected by the browser.
Every wait is bounded by ``timeout_s``. ``close`` ends the browser and removes the temporary
HOME; the session is a context manager. Launch problems raise ``BrowserError``.

Memory is bounded: V8's heap per renderer is capped (``--max-old-space-size``) and a
``MemoryGuard`` thread kills any renderer process of the session whose resident memory passes
``renderer_limit_mb`` (the page then crashes and the render probe says why). What a page logs
(``PageLog``) is bounded too: the first ``MAX_PROBLEMS`` problems, each cut to
``MAX_PROBLEM_CHARS`` characters and sanitized, plus a count of the rest; once the log is full
the page's console is no longer listened to (a flood of 20,000 messages would cost the driver
a quarter of a GB and seconds per page), which ``console_cut`` records.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
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
from prepcheck.probes.failures import describe_browser
from prepcheck.snapshots.text import clean_text
from prepcheck.spanish import status_phrase

CHROMIUM = Path("/usr/bin/chromium")
HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
#: Debian's browsers, preferred first; each /usr/bin script starts /usr/lib/chromium/<its name>.
DEBIAN_BROWSERS = (HEADLESS_SHELL, CHROMIUM)
#: How the main process of any of them shows in /proc (its command line's program).
_BROWSER_PROGRAMS = tuple(f"/{browser.name}".encode() for browser in DEBIAN_BROWSERS)
CERTUTIL = "certutil"
#: Problems kept per page, and the length of each (the rest are only counted).
MAX_PROBLEMS = 50
MAX_PROBLEM_CHARS = 500
#: Resident memory at which a renderer is killed; the reference site's pages need ~150 MB.
RENDERER_LIMIT_MB = 500.0
#: V8 heap of a renderer (MB): a page that allocates past it crashes instead of growing.
JS_HEAP_MB = 384
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
    f"--js-flags=--max-old-space-size={JS_HEAP_MB}",
)


def default_browser() -> Path:
    """The headless shell when installed (package chromium-headless-shell), else chromium."""
    return next((browser for browser in DEBIAN_BROWSERS if browser.exists()), CHROMIUM)


def browser_build(executable: Path | None = None) -> str:
    """What identifies the pixels this browser draws: its binary (Debian's wrapper scripts in
    /usr/bin start /usr/lib/chromium/<name>) by size and time, and the launch arguments. Cached
    reference shots are reused only under the same build."""
    executable = executable or default_browser()
    wrapped = Path("/usr/lib/chromium") / executable.name
    binary = wrapped if executable in DEBIAN_BROWSERS else executable
    try:
        facts = binary.stat()
    except OSError:
        return f"{binary}:desconocido:{LAUNCH_ARGS}"
    return f"{binary}:{facts.st_size}:{facts.st_mtime_ns}:{LAUNCH_ARGS}"


class BrowserError(ProbeError):
    """The browser could not be prepared or launched."""


@dataclass
class PageLog:
    """What went wrong while a page loaded: console errors, uncaught exceptions, failed requests.

    ``problems`` keeps the first ``MAX_PROBLEMS`` (sanitized, cut); ``omitted`` counts the rest
    but console messages once the log is full (``console_cut``: the console is then no longer
    listened to). ``crashed`` is set when the page's renderer died.
    """

    problems: list[str] = field(default_factory=list)
    omitted: int = 0
    console_cut: bool = False
    in_flight: int = 0
    crashed: bool = False
    last_activity: float = field(default_factory=time.monotonic)
    _page: Page | None = None

    def attach(self, page: Page) -> None:
        self._page = page
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("request", lambda _req: self._activity(+1))
        page.on("requestfinished", lambda _req: self._activity(-1))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("crash", lambda _page: setattr(self, "crashed", True))

    def add(self, problem: str) -> None:
        """Keep ``problem`` (sanitized, cut) if there is room; count it otherwise."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(clean_text(problem, MAX_PROBLEM_CHARS))
        else:
            self.omitted += 1

    def _activity(self, change: int) -> None:
        self.in_flight = max(0, self.in_flight + change)
        self.last_activity = time.monotonic()

    def _failed(self, request: object) -> None:
        self._activity(-1)
        url, failure = getattr(request, "url", ""), getattr(request, "failure", "") or ""
        reason = describe_browser(str(failure)).reason
        self.add(f"solicitud fallida: {clean_text(url, 200)} ({reason})")

    def _page_error(self, exc: object) -> None:
        self.add(f"excepción de JavaScript: «{getattr(exc, 'message', exc)}»")

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
        if getattr(message, "type", "") != "error":
            return
        if len(self.problems) >= MAX_PROBLEMS:
            self.console_cut = True
            if self._page is not None:
                self._page.remove_listener("console", self._console)
            return
        self.add(f"consola: {console_text(str(getattr(message, 'text', '')))}")

    def _response(self, response: object) -> None:
        status = int(getattr(response, "status", 0))
        if status >= 400:
            self.add(f"HTTP {status}: {clean_text(getattr(response, 'url', ''), 200)}")


_RESOURCE_STATUS = re.compile(
    r"^Failed to load resource: the server responded with a status of (\d{3})"
)
_RESOURCE_NET = re.compile(r"^Failed to load resource: (net::ERR_[A-Z0-9_]+)")


def console_text(text: str) -> str:
    """A console message as shown to a person: chromium's own messages in Spanish, the
    site's own words quoted (sanitized and cut)."""
    status = _RESOURCE_STATUS.match(text)
    if status is not None:
        return (
            f"no se pudo cargar un recurso: el servidor respondió {status_phrase(int(status[1]))}"
        )
    network = _RESOURCE_NET.match(text)
    if network is not None:
        return f"no se pudo cargar un recurso: {describe_browser(network[1]).reason}"
    return f"«{clean_text(text, MAX_PROBLEM_CHARS)}»"


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


class MemoryGuard:
    """Kills any renderer of one chromium (found by its HOME) past ``limit_mb`` resident.

    A daemon thread polls /proc every ``interval_s``; ``kills`` counts the renderers killed and
    ``last_kill_mb`` is the size of the last one. ``stop`` ends the thread (idempotent).
    """

    def __init__(self, home: Path, limit_mb: float, interval_s: float = 0.1) -> None:
        self.home = str(home)
        self.limit_bytes = int(limit_mb * 1e6)
        self.limit_mb = limit_mb
        self.interval_s = interval_s
        self.kills = 0
        self.last_kill_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="prepcheck-memoria", daemon=True)
        self._browser_pid: int | None = None
        self._page = os.sysconf("SC_PAGE_SIZE")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _watch(self) -> None:
        renderers: list[int] = []
        refreshed = 0.0
        while not self._stop.wait(self.interval_s):
            if time.monotonic() - refreshed > 0.5:
                renderers, refreshed = self._renderers(), time.monotonic()
            for pid in renderers:
                resident = self._resident(pid)
                if resident > self.limit_bytes:
                    self._kill(pid, resident)

    def _kill(self, pid: int, resident: int) -> None:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            return
        self.kills += 1
        self.last_kill_mb = round(resident / 1e6)

    def _renderers(self) -> list[int]:
        """Renderer processes under the chromium whose environment has this session's HOME
        (the children's own environment is not readable: chromium rewrites that memory)."""
        if self._browser_pid is None:
            self._browser_pid = next(
                (pid for pid in descendants(os.getpid()) if _is_browser(pid) and self._ours(pid)),
                None,
            )
        if self._browser_pid is None:
            return []
        return [pid for pid in descendants(self._browser_pid) if _is_renderer(pid)]

    def _ours(self, pid: int) -> bool:
        try:
            environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            return False
        return f"HOME={self.home}".encode() in environment

    def _resident(self, pid: int) -> int:
        try:
            return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page
        except (OSError, IndexError, ValueError):
            return 0


def descendants(pid: int) -> list[int]:
    """Pids of ``pid``'s live descendants, from one pass over /proc (parent of each process)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] not in ("Z", "X"):
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent == frontier[-1]]
        frontier.pop()
        found += children
        frontier += children
    return found


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _is_renderer(pid: int) -> bool:
    """Whether ``pid`` is a chromium renderer (chromium rewrites its command line into one
    space-separated string, so the flag is looked for as text)."""
    return b"--type=renderer" in _command_line(pid)


def _is_browser(pid: int) -> bool:
    """Whether ``pid`` is a chromium browser (main) process, of either Debian binary."""
    program = _command_line(pid).split(b"\0", 1)[0]
    return program.endswith(_BROWSER_PROGRAMS) and b"--type=" not in _command_line(pid)


class BrowserSession(Service):
    """One chromium process for one difusor (its CA trusted); see the module contract."""

    def __init__(
        self,
        ca_files: Sequence[Path] = (),
        *,
        timeout_s: float = 20.0,
        executable: Path | None = None,
        renderer_limit_mb: float = RENDERER_LIMIT_MB,
    ) -> None:
        self.ca_files = tuple(ca_files)
        self.timeout_ms = timeout_s * 1000
        self.executable = executable or default_browser()
        self.renderer_limit_mb = renderer_limit_mb
        self.guard: MemoryGuard | None = None
        self._home: Path | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._contexts: dict[tuple[int, int], BrowserContext] = {}

    @property
    def memory_kills(self) -> int:
        """Renderers killed so far for passing the memory bound."""
        return self.guard.kills if self.guard is not None else 0

    def start(self) -> None:
        if not self.executable.exists():
            raise BrowserError(
                f"no se encontró el navegador {self.executable} (instale el paquete "
                "chromium-headless-shell o chromium)"
            )
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
            self.guard = MemoryGuard(self._home, self.renderer_limit_mb)
            self.guard.start()
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
        if self.guard is not None:
            self.guard.stop()
            self.guard = None
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
