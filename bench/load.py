"""Benchmark the citizen scenario's generator cost against a bare FastHttpUser and wrk.

Usage: ``python bench/load.py [--quick]``. Serves a small sample package with the reference
nginx (HTTPS on loopback) and runs, for the same duration and users, each with no wait between
requests: (1) the citizen locustfile in one Locust process, (2) a bare ``FastHttpUser``
fetching ``index.html`` in one Locust process, (3) ``wrk -t2`` on the same file. (1) and (2)
run in alternating rounds (citizen first, then bare first, ...): one Locust run's rate swings
by up to 2× between runs minutes apart on a shared 2-core host, so ``citizen_vs_bare_fasthttp``
(target ≥ 0.7) is the median of the rounds' ratios, each round's pair run back to back. Prints
req/s of each and, as its last line, one JSON object with that ratio, every round's ratio and
``bare_fasthttp_vs_wrk``. ``--quick`` runs 3 rounds of 4 s (under a minute in all); otherwise 5
rounds of 20 s.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find _common
from _common import emit

from prepcheck.config import Difusor, LoadSettings
from prepcheck.load.locust_run import run_locust
from prepcheck.load.plan import Overrides, plan_run
from prepcheck.load.stats import read_totals
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.process import ManagedProcess
from prepcheck.sample import build_package

USERS = 50
FILE = "prepver2021/index.html"
BARE = """
import ssl
from locust import FastHttpUser, constant, task

class Bare(FastHttpUser):
    host = {host!r}
    insecure = False
    wait_time = constant(0)
    ssl_context_factory = staticmethod(
        lambda cafile=None: ssl.create_default_context(cafile={ca!r})
    )

    @task
    def one_file(self):
        self.client.get({path!r})
"""


def citizen_rate(difusor: ReferenceDifusor, seconds: int, out: Path) -> float:
    settings = LoadSettings(authorized=True, users=USERS, rate=1e9, max_rate=1e9)
    target = Difusor(
        name="bench", base_url=difusor.base_url, ca_file=difusor.ca_file, load=settings
    )
    plan = plan_run(target, "prepver2021", "steady", Overrides(duration_seconds=seconds))
    run = run_locust(plan, out / "citizen", tag="steady")
    return read_totals(run.stats_csv).rate


def bare_rate(difusor: ReferenceDifusor, seconds: int, out: Path) -> float:
    locustfile = out / "bare.py"
    host = difusor.base_url.rstrip("/")
    locustfile.write_text(BARE.format(host=host, ca=str(difusor.ca_file), path="/" + FILE))
    argv = [sys.executable, "-m", "locust", "-f", str(locustfile), "--headless", "-u", str(USERS)]
    argv += [
        "-r",
        str(USERS),
        "-t",
        f"{seconds}s",
        "--csv",
        str(out / "bare"),
        "--stop-timeout",
        "0",
    ]
    process = ManagedProcess(argv, output=out / "bare.log", cwd=out)
    try:
        process.start()
        process.wait_until(lambda: False, seconds + 30)
    finally:
        process.stop()
    return read_totals(out / "bare_stats.csv").rate


def wrk_rate(difusor: ReferenceDifusor, seconds: int) -> float:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (Debian package wrk)")
    argv = [wrk, "-t2", f"-c{USERS}", f"-d{seconds}s", difusor.base_url + FILE]
    output = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 30, check=True)
    match = re.search(r"Requests/sec:\s+([\d.]+)", output.stdout)
    if match is None:
        raise SystemExit(f"unexpected wrk output:\n{output.stdout}")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    rounds, seconds = (3, 4) if quick else (5, 20)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        built = build_package(datetime(2021, 6, 6, 21, 15), work / "package")
        difusor = ReferenceDifusor(work / "nginx", kind="nginx")
        difusor.publish(built.archive, built.digest_file, force=True)
        with difusor:
            pairs = [measure_round(difusor, seconds, work / f"round-{n}", n) for n in range(rounds)]
            wrk = wrk_rate(difusor, seconds)
            print(f"wrk -t2 -c{USERS} on {FILE}: {wrk:,.0f} req/s")
    citizen = statistics.median(c for c, _ in pairs)
    bare = statistics.median(b for _, b in pairs)
    ratios = [round(c / b, 3) for c, b in pairs]
    emit(
        {
            "benchmark": "load",
            "seconds": seconds,
            "rounds": rounds,
            "users": USERS,
            "citizen_rps": round(citizen, 1),
            "bare_fasthttp_rps": round(bare, 1),
            "wrk_rps": round(wrk, 1),
            "citizen_vs_bare_fasthttp": statistics.median(ratios),
            "round_ratios": ratios,
            "bare_fasthttp_vs_wrk": round(bare / wrk, 3),
        }
    )


def measure_round(
    difusor: ReferenceDifusor, seconds: int, out: Path, n: int
) -> tuple[float, float]:
    """One round: the citizen and the bare rates, back to back (alternating which goes first)."""
    out.mkdir()
    if n % 2 == 0:
        citizen = citizen_rate(difusor, seconds, out)
        bare = bare_rate(difusor, seconds, out)
    else:
        bare = bare_rate(difusor, seconds, out)
        citizen = citizen_rate(difusor, seconds, out)
    print(f"round {n + 1}: citizen {citizen:,.0f} req/s, bare FastHttpUser {bare:,.0f} req/s")
    return citizen, bare


if __name__ == "__main__":
    main()
