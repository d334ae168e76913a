"""Benchmark: many difusores at once (``prepcheck run --jobs 8``) against the same run done
serially (``--jobs 1``), with equal verdicts asserted, on loopback and with the difusores made
distant.

Usage: ``python bench/scale.py [--quick] [--rtt-ms 40]``. Starts, on loopback, a reference nginx
and a reference Apache (sound), an nginx without the main.json header, an nginx serving one
altered byte, a closed port and a server that accepts TCP and never speaks TLS (the hanging
difusor, bounded by its ``budget_seconds``). The full run checks 40 difusores: three quarters on
the sound servers, a quarter broken in those four ways, exactly one hanging, and every id of the
checklist is measured (the browser on the election folder's entry page at both viewports).
The pair of runs is made twice: straight on loopback, where nothing waits on a network, and
through a :class:`~prepcheck.reference.latency.LatencyProxy` per server that gives every
connection ``--rtt-ms`` of round trip, as a difusor on the internet has (the closed port stays
closed). ``--quick`` (under a minute) checks 8 difusores on the site and header ids only, with
the hanging one's budget at 6 s, the distant pair only and no warm re-run (no browser check: no
shots to keep). The last line is one JSON object with ``speedup_vs_serial`` (distant),
``speedup_vs_serial_loopback`` (null with ``--quick``), ``seconds_one_difusor`` (on loopback,
the reference rendered cold, as in a corte's first run), ``seconds_one_difusor_warm`` (its shots
kept from that run; null with ``--quick``), ``seconds_40_difusores`` (``seconds_n_difusores``
with ``--quick``), the serial times, and the peak RSS of the whole process tree of the
concurrent runs.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

from _common import emit

from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.latency import LatencyProxy
from prepcheck.reference.silent import SilentServer
from prepcheck.reference.variants import VARIANTS
from prepcheck.sample import build_package

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
HANG_BUDGET_S = 45
RTT_MS = 40.0
TAMPERED = "prepver2021/json/diputaciones/distrito_07.json"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Place = tuple[str, Path]  # a server's base URL and the CA file that signs it


def difusor_entries(places: dict[str, Place], silent: str, n: int) -> list[tuple]:
    """``n`` difusores: a quarter broken (header, byte, closed port), one hanging.

    ``places`` names the servers (``nginx``, ``apache``, ``no-header``, ``tampered``); ``silent``
    is the hanging server's base URL.
    """
    ca = places["nginx"][1]
    broken = [
        ("sin-encabezado", places["no-header"][0]),
        ("alterado", places["tampered"][0]),
        ("apagado", f"https://localhost:{closed_port()}/"),
    ]
    entries = [("colgado-0", silent, ca)]
    for i in range(max(1, n // 4) - 1):
        kind, url = broken[i % len(broken)]
        entries.append((f"{kind}-{i}", url, ca))
    sound = [places["nginx"], places["apache"]]
    while len(entries) < n:
        url, sound_ca = sound[len(entries) % 2]
        entries.append((f"sano-{len(entries):02d}", url, sound_ca))
    return entries


def peak_tree_rss_mb(pid: int, stop: threading.Event, found: list[float]) -> None:
    """Sample the RSS of ``pid`` and all its descendants until ``stop``; keep the peak."""
    from prepcheck.reference.process import descendants

    peak = 0.0
    while not stop.is_set():
        total = 0
        for member in [pid, *descendants(pid)]:
            try:
                fields = Path(f"/proc/{member}/statm").read_text().split()
                total += int(fields[1]) * 4096
            except (OSError, IndexError, ValueError):
                continue
        peak = max(peak, total / 1024 / 1024)
        time.sleep(0.2)
    found.append(peak)


QUICK_CHECKS = ("site.", "headers.")


def timed_run(
    config: Path, out: Path, jobs: int, *only: str, checks: tuple[str, ...] = ()
) -> tuple[float, float, int]:
    command = [sys.executable, "-m", "prepcheck.cli", "run", "--config", str(config)]
    command += ["--out", str(out), "--jobs", str(jobs), "--quiet"]
    command += [arg for prefix in checks for arg in ("--check", prefix)]
    command += [arg for name in only for arg in ("--difusor", name)]
    # The bench's own reference-shot cache: the first run renders the package cold, as a
    # user's first run of a corte does; later runs of the same package find the shots.
    env = {**os.environ, "PREPCHECK_CACHE_DIR": str(config.parent / "cache")}
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stop, peak = threading.Event(), list[float]()
    sampler = threading.Thread(target=peak_tree_rss_mb, args=(process.pid, stop, peak))
    sampler.start()
    _, errors = process.communicate(timeout=3600)
    stop.set()
    sampler.join()
    if process.returncode not in (0, 1, 3):
        raise SystemExit(f"prepcheck run failed ({process.returncode}): {errors.decode()[-2000:]}")
    return time.monotonic() - started, peak[0], process.returncode


def verdicts(out: Path) -> dict[str, tuple[str, dict[str, str]]]:
    found = {}
    for path in sorted(out.glob("*/results.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        statuses = {r["id"]: r["status"] for r in document["checks"]}
        found[path.parent.name] = (document["verdict"], statuses)
    return found


def disagreements(together: dict, alone: dict, base: Path) -> list[str]:
    """Each difusor and check whose status differs between the two runs, with both messages."""
    lines = []
    for name in sorted(set(together) | set(alone)):
        first, second = together.get(name, ("—", {})), alone.get(name, ("—", {}))
        if first == second:
            continue
        lines.append(f"{name}: {first[0]} (--jobs 8) / {second[0]} (--jobs 1)")
        for check_id in sorted(set(first[1]) | set(second[1])):
            if first[1].get(check_id) != second[1].get(check_id):
                messages = [
                    _message(base / run / name / "results.json", check_id)
                    for run in ("concurrent", "serial")
                ]
                lines.append(f"  {check_id}: {first[1].get(check_id)} / {second[1].get(check_id)}")
                lines += [f"    {message}" for message in messages]
    return lines


def _message(path: Path, check_id: str) -> str:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "(sin results.json)"
    return next((r["message"][:300] for r in document["checks"] if r["id"] == check_id), "—")


def start_servers(base: Path, built) -> dict[str, ReferenceDifusor]:
    servers = {
        "nginx": ReferenceDifusor(base / "nginx", kind="nginx"),
        "apache": ReferenceDifusor(base / "apache", kind="apache"),
        "no-header": ReferenceDifusor(
            base / "nh", kind="nginx", variant=VARIANTS["main-json-max-age"]
        ),
        "tampered": ReferenceDifusor(base / "tampered", kind="nginx"),
    }
    for server in servers.values():
        server.publish(built.archive, built.digest_file)
        server.start()
    path = servers["tampered"].published / "current" / TAMPERED
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    return servers


def bench_config(path: Path, built, entries: list[tuple], hang_budget: int) -> Path:
    """The run's TOML: every id, the browser on the entry page, the hanging one's budget."""
    config = write_config(path, built.archive, entries, render_pages=["#/"])
    text = config.read_text(encoding="utf-8")
    hang = f'name = "colgado-0"\nbudget_seconds = {hang_budget}'
    config.write_text(text.replace('name = "colgado-0"', hang), encoding="utf-8")
    return config


def compare(config: Path, base: Path, n: int, checks: tuple[str, ...]) -> dict[str, float]:
    """The run with ``--jobs 8`` and with ``--jobs 1`` under ``base``; their verdicts must agree."""
    concurrent, rss, code = timed_run(config, base / "concurrent", 8, checks=checks)
    print(f"  {n} difusores, --jobs 8: {concurrent:.1f} s (pico de memoria {rss:.0f} MiB)")
    serial, _, serial_code = timed_run(config, base / "serial", 1, checks=checks)
    print(f"  {n} difusores, --jobs 1: {serial:.1f} s ({serial / concurrent:.2f}×)")
    together, alone = verdicts(base / "concurrent"), verdicts(base / "serial")
    if together != alone or code != serial_code:
        for line in disagreements(together, alone, base):
            print(line)
        raise SystemExit("the concurrent and the serial runs disagree")
    print(f"  veredictos iguales; salida {code}")
    return {"concurrent": concurrent, "serial": serial, "rss": rss}


def relay(
    servers: dict[str, ReferenceDifusor], silent: int, rtt_ms: float, into: dict[str, LatencyProxy]
) -> None:
    """Put a :class:`LatencyProxy` in front of each server and the silent one, into ``into``."""
    upstreams = {name: server.server.https_port for name, server in servers.items()}
    for name, port in {**upstreams, "silent": silent}.items():
        into[name] = LatencyProxy(("127.0.0.1", port), rtt_ms)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 difusores instead of 40")
    parser.add_argument(
        "--rtt-ms", type=float, default=RTT_MS, help=f"distant round trip (default {RTT_MS:g})"
    )
    args = parser.parse_args()
    n = 8 if args.quick else 40
    checks = QUICK_CHECKS if args.quick else ()
    hang_budget = 6 if args.quick else HANG_BUDGET_S
    proxies: dict[str, LatencyProxy] = {}
    with tempfile.TemporaryDirectory(prefix="prepcheck-bench-scale-") as tmp:
        base = Path(tmp)
        built = build_package(CORTE, base / "packages", utc_offset=CENTRE_TIME)
        silent = SilentServer()
        servers = start_servers(base, built)
        try:
            places = {name: (s.base_url, s.ca_file) for name, s in servers.items()}
            entries = difusor_entries(places, f"https://localhost:{silent.port}/", n)
            config = bench_config(base / "cerca.toml", built, entries, hang_budget)
            one, _, _ = timed_run(config, base / "one", 1, entries[-1][0], checks=checks)
            print(f"1 difusor sano: {one:.1f} s")
            warm = None
            if not args.quick:  # --quick measures no browser check: nothing to keep
                warm, _, _ = timed_run(config, base / "de-nuevo", 1, entries[-1][0])
                print(f"1 difusor sano, referencia ya capturada: {warm:.1f} s")
            near = None
            if not args.quick:  # the distant pair is the measure; a minute has room for one
                print("en loopback (sin distancia):")
                near = compare(config, base / "cerca", n, checks)
            relay(servers, silent.port, args.rtt_ms, proxies)
            far_places = {
                name: (f"https://localhost:{proxies[name].port}/", servers[name].ca_file)
                for name in servers
            }
            far_silent = f"https://localhost:{proxies['silent'].port}/"
            far_entries = difusor_entries(far_places, far_silent, n)
            far_config = bench_config(base / "lejos.toml", built, far_entries, hang_budget)
            print(f"a {args.rtt_ms:g} ms de ida y vuelta:")
            far = compare(far_config, base / "lejos", n, checks)
        finally:
            for proxy in proxies.values():
                proxy.close()
            for server in servers.values():
                server.stop()
            silent.close()
    key = "seconds_40_difusores" if n == 40 else "seconds_n_difusores"
    emit(
        {
            "bench": "scale",
            "difusores": n,
            "rtt_ms": args.rtt_ms,
            "speedup_vs_serial": round(far["serial"] / far["concurrent"], 2),
            "speedup_vs_serial_loopback": near and round(near["serial"] / near["concurrent"], 2),
            "seconds_one_difusor": round(one, 1),
            "seconds_one_difusor_warm": None if warm is None else round(warm, 1),
            key: round(far["concurrent"], 1),
            "seconds_serial": round(far["serial"], 1),
            f"{key}_loopback": near and round(near["concurrent"], 1),
            "seconds_serial_loopback": near and round(near["serial"], 1),
            "peak_rss_mb": round(max(far["rss"], near["rss"] if near else 0)),
            "equal_verdicts": True,
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
