"""Benchmark the TLS + headers suites against testssl.sh on the same reference server.

Usage: ``python bench/tls.py [--quick]``. Starts one reference difusor (nginx, small package),
times one checklist pytest session of ``suites/test_tls.py``, ``test_headers.py`` and
``test_site.py`` for it (every tls.*, headers.* and site.* id: process start, sslyze scan,
HTTP probes and the one-second cache pause included), then one testssl.sh run on the same server,
and prints the ratio. The last stdout line is one JSON object with ``speedup_vs_testssl``.

Full mode runs the default testssl.sh (every section). ``--quick`` (under a minute) runs
testssl.sh with only protocols and server defaults (``-p -S``). Both pass ``--nodns none``: the
rehearsal runs offline, and DNS lookups that time out would inflate testssl's time unfairly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find _common
from _common import emit, peak_rss_mb

from prepcheck.checklist.options import Options
from prepcheck.checklist.runner import run_checklist
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.probes import testssl
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.sample import build_package

CHECKS = ("tls.", "headers.", "site.")
QUICK_SECTIONS = ("-p", "-S")
CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)


def time_suites(config: Path, out: Path) -> tuple[float, int]:
    """Seconds for one checklist run of the TLS/header/site checks; and its exit code."""
    started = time.monotonic()
    outcome = run_checklist(config, out, options=Options(checks=CHECKS, technical_report=False))
    return time.monotonic() - started, outcome.exit_code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="testssl.sh with -p -S only")
    args = parser.parse_args()
    if not testssl.available():
        print("testssl.sh no está instalado (paquete Debian testssl.sh)", file=sys.stderr)
        return 2
    sections = QUICK_SECTIONS if args.quick else ()
    with tempfile.TemporaryDirectory(prefix="prepcheck-bench-tls-") as tmp:
        base = Path(tmp)
        built = build_package(CORTE, base / "packages", utc_offset=CENTRE_TIME)
        difusor = ReferenceDifusor(base / "nginx", kind="nginx")
        difusor.publish(built.archive, built.digest_file)
        with difusor:
            config = write_config(
                base / "prepcheck.toml",
                built.archive,
                [("ref", difusor.base_url, difusor.ca_file, difusor.http_url)],
            )
            suite_s, code = time_suites(config, base / "out")
            port = difusor.server.https_port
            run = testssl.run_testssl(
                "localhost", port, ca_file=difusor.ca_file, sections=sections, timeout_s=600
            )
    if run.error:
        print(run.error, file=sys.stderr)
        return 1
    scope = " ".join(sections) or "default (all sections)"
    speedup = run.elapsed_s / suite_s
    print(f"prepcheck TLS + headers + site suites: {suite_s:.2f} s (pytest exit {code})")
    print(f"testssl.sh ({scope}, --nodns none): {run.elapsed_s:.2f} s")
    print(f"speedup: {speedup:.1f}x")
    emit(
        {
            "bench": "tls",
            "mode": "quick" if args.quick else "full",
            "suite_s": round(suite_s, 2),
            "testssl_s": round(run.elapsed_s, 2),
            "testssl_scope": scope,
            "speedup_vs_testssl": round(speedup, 1),
            "peak_rss_mb": peak_rss_mb(),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
