"""The runner's end-to-end cases share one real nginx reference difusor and one silent server.

Several difusores share the nginx reference (different names, same address), which is what the
runner sees as separate difusores; the silent server accepts TCP and never answers (a stuck TLS
terminator). Most runs measure only ``CHEAP`` ids so each case takes seconds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from prepcheck.checklist.session_process import SESSION_NAME
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.process import descendants, live_processes
from prepcheck.reference.silent import SilentServer
from prepcheck.results import read_document
from prepcheck.sample import build_package

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
CHEAP = ("site.reachable", "headers.main-json-cache-control", "package.checksum")


def serve_site(tmp_path_factory):
    """One real nginx reference difusor and one silent server (a test module's ``site`` fixture
    yields from this, once per module)."""
    base = tmp_path_factory.mktemp("lifecycle")
    built = build_package(CORTE, base / "packages", utc_offset=CENTRE_TIME)
    nginx = ReferenceDifusor(base / "nginx", kind="nginx")
    nginx.publish(built.archive, built.digest_file)
    silent = SilentServer()
    with nginx:
        yield base, built, nginx, silent
    silent.close()


def config_for(site, path: Path, good: int, hanging: int = 0, **extra: str) -> Path:
    """``good`` names for the reference nginx and ``hanging`` for the silent server."""
    _, built, nginx, silent = site
    entries = [(f"bueno-{i}", nginx.base_url, nginx.ca_file) for i in range(good)]
    entries += [
        (f"colgado-{i}", f"https://localhost:{silent.port}/", nginx.ca_file) for i in range(hanging)
    ]
    return write_config(path, built.archive, entries, render_pages=["#/"], difusor_keys=extra)


def statuses(path: Path) -> dict[str, str]:
    return {r["id"]: r["status"] for r in read_document(path)["checks"]}


def run_process(config: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "prepcheck.cli", "run", "--config", str(config)]
    command += ["--out", str(out), "--quiet", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def catches(pid: int, signum: int) -> bool:
    """Whether process ``pid`` has a handler for ``signum`` (its SigCgt mask in /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    mask = next(
        (line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0"
    )
    return bool(int(mask, 16) & (1 << (signum - 1)))


def sessions_of_run(runner: int) -> list[int]:
    """Live checking sessions of the run whose process is ``runner`` (named SESSION_NAME)."""
    found = []
    for pid in descendants(runner):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name == SESSION_NAME:
            found.append(pid)
    return found


def alive(pids: list[int]) -> list[int]:
    live = {info.pid for info in live_processes()}
    return [pid for pid in pids if pid in live]


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
