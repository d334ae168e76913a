"""Benchmark remote integrity (``fetch_and_compare``) against curl on a full-scale package.

Usage: ``python bench/integrity.py [--quick]``. Builds a ``--scale full`` sample package,
publishes it on the reference nginx (HTTPS on loopback, TLS verified against the rehearsal CA
everywhere, never ``-k``), and in one run measures over the same file list:

* the prober, ``fetch_and_compare`` (concurrency 16, hashing while streaming), in a fresh
  subprocess, median of ``REPEATS`` runs;
* (a) a sequential ``curl -s --cacert CA URL | sha256sum`` loop (hashes checked afterwards);
  ``--quick`` runs it over a fixed seeded random sample of ``SAMPLE`` files and compares
  files/s (a rate ratio, said so in the output), otherwise over every file;
* (b) ``curl -s -Z --parallel-max 8 --cacert CA -K LIST`` (``url =`` / ``output =
  "/dev/null"`` pairs, no hashing), median of ``REPEATS`` runs: the practical limit. Also, for
  information, the same with ``--compressed`` (the prober asks for gzip/br like a browser, so
  nginx compresses what it sends it; plain curl is served uncompressed).

Memory: the prober runs again in a fresh subprocess over a padded copy of the package (each
file's bytes repeated ``PAD_FACTOR`` times, served from the same docroot, expected manifest
built from the padded bytes): same file count, ``PAD_FACTOR``× the bytes. ``memory_growth_ratio``
is peak RSS (padded) / peak RSS (package); it stays ≈ 1 when memory does not grow with the
package's byte size. The last stdout line is one JSON object (see ``bench/_common.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: find _common
from _common import emit, peak_rss_mb

from prepcheck.probes.fetch_many import fetch_and_compare
from prepcheck.snapshots.files import ExpectedFile

if TYPE_CHECKING:  # the prober child imports only the prober, to keep its baseline RSS honest
    from prepcheck.reference.difusor import ReferenceDifusor

CORTE = datetime(2021, 6, 6, 21, 15)
FOLDER = "prepver2021"
SAMPLE = 300  # files in the --quick sequential sample
SAMPLE_SEED = 2021
REPEATS = 3  # prober and parallel curl: median of this many runs
CONCURRENCY = 16  # the prober's default, as the checklist uses it
PARALLEL_MAX = 8  # curl -Z --parallel-max, as in the issue
CURL_HTTP2_ERROR = 16
CURL_ATTEMPTS = 3
PAD_FACTOR = 12  # padded copy: every file's bytes repeated this many times
PADDED_DIR = "padded"  # under the docroot
TIMEOUT_S = 30.0
MB = 1_000_000
# Work folder on tmpfs when there is one: writing the 9,852-file padded copy on a busy disk
# took 7-12 s; nginx serves from the page cache either way once the files are warm.
SCRATCH = "/dev/shm"


def build_and_serve(workdir: Path) -> tuple[ReferenceDifusor, list[ExpectedFile]]:
    """Build the full package, publish it on a started reference nginx; return it and the list.

    The caller must stop the returned difusor.
    """
    from prepcheck.archive.official import load_official
    from prepcheck.config import PackageSource
    from prepcheck.reference.difusor import ReferenceDifusor
    from prepcheck.sample import build_package

    start = time.perf_counter()
    built = build_package(CORTE, workdir / "package", scale="full")
    source = PackageSource(path=built.archive, digest_file=built.digest_file)
    official = load_official(built.archive, source, FOLDER)
    if not official.usable:
        raise SystemExit(f"sample package unusable: {official.unusable_reason()}")
    files = [ExpectedFile(e.path, e.size, e.sha256) for e in official.manifest]
    print(f"package built and indexed: {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    difusor = ReferenceDifusor(workdir / "difusor", kind="nginx")
    difusor.publish(built.archive, built.digest_file)
    difusor.start()
    print(f"published (ingest) and nginx started: {time.perf_counter() - start:.1f} s")
    return difusor, files


def write_padded(docroot: Path, files: list[ExpectedFile]) -> list[ExpectedFile]:
    """Write ``docroot/padded/<path>`` = served bytes × ``PAD_FACTOR``; return their manifest."""
    padded = []
    for entry in files:
        data = (docroot / entry.path).read_bytes() * PAD_FACTOR
        target = docroot / PADDED_DIR / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        padded.append(
            ExpectedFile(f"{PADDED_DIR}/{entry.path}", len(data), hashlib.sha256(data).hexdigest())
        )
    return padded


def write_manifest(path: Path, files: list[ExpectedFile]) -> Path:
    """Write the expected list as JSON for a prober child; return ``path``."""
    path.write_text(json.dumps([[f.path, f.size, f.sha256] for f in files]))
    return path


def run_prober_child(manifest: Path, base_url: str, ca: Path) -> dict[str, Any]:
    """Run the prober once in a fresh interpreter; return its JSON report."""
    command = [sys.executable, __file__, "--probe", str(manifest), base_url, str(ca)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"prober child failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def own_peak_rss_mb() -> float:
    """This process's own peak RSS in MiB (``VmHWM``), not inherited from the parent.

    ``getrusage`` is no good in a child: Linux carries the parent's peak at fork into the
    child's ``ru_maxrss`` across exec. Falls back to it where ``/proc`` is missing.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return peak_rss_mb()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    return round(kib / 1024, 1)


def probe(manifest: Path, base_url: str, ca: Path) -> None:
    """Child mode: time one ``fetch_and_compare`` over ``manifest``; print one JSON line.

    ``baseline_rss_mb`` is the peak RSS after imports and loading the list, before fetching.
    """
    files = [ExpectedFile(p, s, h) for p, s, h in json.loads(manifest.read_text())]
    baseline = own_peak_rss_mb()
    start = time.perf_counter()
    outcomes = fetch_and_compare(
        base_url, files, ca_file=ca, concurrency=CONCURRENCY, timeout_s=TIMEOUT_S
    )
    seconds = time.perf_counter() - start
    kinds: dict[str, int] = {}
    for outcome in outcomes:
        kinds[outcome.kind] = kinds.get(outcome.kind, 0) + 1
    print(
        json.dumps(
            {
                "seconds": seconds,
                "kinds": kinds,
                "baseline_rss_mb": baseline,
                "peak_rss_mb": own_peak_rss_mb(),
            }
        )
    )


def parallel_curl(
    workdir: Path, files: list[ExpectedFile], base_url: str, ca: Path, *, compressed: bool
) -> float:
    """Wall time of one ``curl -s -Z --parallel-max 8 -K LIST`` run, every output to /dev/null."""
    config = workdir / "curl-list.txt"
    config.write_text("".join(f'url = "{base_url}{f.path}"\noutput = "/dev/null"\n' for f in files))
    command = ["curl", "-s", "-Z", "--parallel-max", str(PARALLEL_MAX), "--cacert", str(ca)]
    if compressed:
        command.append("--compressed")
    # curl 7.88 (Debian 12) sometimes ends a multiplexed run with exit 16 (an HTTP/2 error)
    # when nginx closes a connection after its keepalive_requests with GOAWAY; such a run did
    # not fetch everything, so it is retried rather than timed.
    for _ in range(CURL_ATTEMPTS):
        start = time.perf_counter()
        done = subprocess.run([*command, "-K", str(config)], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode != CURL_HTTP2_ERROR:
            break
    if done.returncode != 0:
        raise SystemExit(f"parallel curl failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds


def sequential_loop(
    workdir: Path, files: list[ExpectedFile], base_url: str, ca: Path
) -> tuple[float, int]:
    """Time a shell loop of ``curl | sha256sum`` per file; return (seconds, files matching)."""
    urls = workdir / "sequential-urls.txt"
    urls.write_text("".join(f"{base_url}{f.path}\n" for f in files))
    script = 'while IFS= read -r url; do curl -s --cacert "$1" "$url" | sha256sum; done < "$2"'
    start = time.perf_counter()
    done = subprocess.run(
        ["bash", "-c", script, "loop", str(ca), str(urls)],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    digests = [line.split()[0] for line in done.stdout.splitlines()]
    matching = sum(d == f.sha256 for d, f in zip(digests, files, strict=True))
    return seconds, matching


def compare(workdir: Path, quick: bool) -> dict[str, Any]:
    """Build, serve, measure everything; print the human lines and return the JSON result."""
    setup = time.perf_counter()
    difusor, files = build_and_serve(workdir)
    try:
        base, ca = difusor.base_url, difusor.ca_file
        start = time.perf_counter()
        padded = write_padded(difusor.docroot, files)
        print(f"padded copy written: {time.perf_counter() - start:.1f} s")
        print(f"setup total: {time.perf_counter() - setup:.1f} s")
        return measure(workdir, files, padded, base, ca, quick)
    finally:
        difusor.stop()


def measure(
    workdir: Path,
    files: list[ExpectedFile],
    padded: list[ExpectedFile],
    base: str,
    ca: Path,
    quick: bool,
) -> dict[str, Any]:
    """Run the prober, curl (a) and (b), and the padded memory run; print and return figures."""
    n, size = len(files), sum(f.size for f in files)
    big_size = sum(f.size for f in padded)
    print(f"package: {n:,} files, {size / MB:.2f} MB; padded copy: {big_size / MB:.1f} MB")
    small, parallel_s = interleaved_rounds(workdir, files, base, ca)
    large = run_prober_child(write_manifest(workdir / "large.json", padded), base, ca)
    check_outcomes("padded copy", large, n)
    gz_s = parallel_curl(workdir, files, base, ca, compressed=True)
    sample = random.Random(SAMPLE_SEED).sample(files, SAMPLE) if quick else files
    seq_s, matching = sequential_loop(workdir, sample, base, ca)
    if matching != len(sample):
        raise SystemExit(f"sequential loop: only {matching}/{len(sample)} hashes matched")
    return report(
        files=n,
        size=size,
        big_size=big_size,
        small=small,
        large=large,
        parallel_s=parallel_s,
        gz_s=gz_s,
        seq_s=seq_s,
        seq_files=len(sample),
        seq_size=sum(f.size for f in sample),
        quick=quick,
    )


def interleaved_rounds(
    workdir: Path, files: list[ExpectedFile], base: str, ca: Path
) -> tuple[dict[str, Any], float]:
    """``REPEATS`` rounds of (prober child, parallel curl), alternated so that a change in the
    machine's load hits both alike; return the prober's medians/peaks and curl's median time."""
    manifest = write_manifest(workdir / "package.json", files)
    children, curl_s = [], []
    for _ in range(REPEATS):
        children.append(run_prober_child(manifest, base, ca))
        check_outcomes("package", children[-1], len(files))
        curl_s.append(parallel_curl(workdir, files, base, ca, compressed=False))
    small = {
        "seconds": statistics.median(c["seconds"] for c in children),
        "peak_rss_mb": max(c["peak_rss_mb"] for c in children),
        "baseline_rss_mb": max(c["baseline_rss_mb"] for c in children),
        "all_seconds": [round(c["seconds"], 3) for c in children],
    }
    curl_runs = [round(seconds, 3) for seconds in curl_s]
    print(f"prober runs: {small['all_seconds']} s; parallel curl runs: {curl_runs} s")
    return small, statistics.median(curl_s)


def check_outcomes(label: str, child: dict[str, Any], files: int) -> None:
    """Stop the benchmark unless every file was judged identical (a benchmark of failures
    would be meaningless)."""
    if child["kinds"] != {"identical": files}:
        raise SystemExit(f"prober on the {label}: unexpected outcomes {child['kinds']}")


def report(**m: Any) -> dict[str, Any]:
    """Print the human-readable comparison and return the JSON-line dict."""
    n, size, prober_s = m["files"], m["size"], m["small"]["seconds"]
    seq_rate = m["seq_files"] / m["seq_s"]
    speedup = (n / prober_s) / seq_rate
    fraction = m["parallel_s"] / prober_s
    small, large = m["small"], m["large"]
    growth = large["peak_rss_mb"] / small["peak_rss_mb"]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min)")
    large_s = large["seconds"]
    print(
        f"prober (fetch_and_compare, concurrency {CONCURRENCY}, median of {REPEATS}): "
        f"{prober_s:.3f} s, {n / prober_s:,.0f} files/s, {size / MB / prober_s:.1f} MB/s"
    )
    scope = (
        f"seeded random sample of {m['seq_files']} files (seed {SAMPLE_SEED}); "
        "speedup is the files/s ratio"
        if m["quick"]
        else f"all {m['seq_files']:,} files"
    )
    print(
        f"(a) sequential curl | sha256sum over {scope}: {m['seq_s']:.1f} s, "
        f"{seq_rate:.1f} files/s, {m['seq_size'] / MB / m['seq_s']:.2f} MB/s "
        f"-> speedup {speedup:.0f}× (target ≥ 30×)"
    )
    print(
        f"(b) curl -Z --parallel-max {PARALLEL_MAX}, no hashing (median of {REPEATS}): "
        f"{m['parallel_s']:.3f} s, {n / m['parallel_s']:,.0f} files/s, "
        f"{size / MB / m['parallel_s']:.1f} MB/s -> prober reaches {fraction:.2f} of it "
        "(target ≥ 0.5)"
    )
    print(
        f"    same with --compressed (gzip like the prober, one run): {m['gz_s']:.3f} s -> "
        f"prober reaches {m['gz_s'] / prober_s:.2f} of it (information only)"
    )
    print(
        f"memory, fresh subprocess each: package {size / MB:.1f} MB -> peak RSS "
        f"{small['peak_rss_mb']} MiB (before fetching {small['baseline_rss_mb']}); padded "
        f"{m['big_size'] / MB:.1f} MB ({large_s:.2f} s, {m['big_size'] / MB / large_s:.0f} MB/s) "
        f"-> peak RSS {large['peak_rss_mb']} MiB (before {large['baseline_rss_mb']}); "
        f"growth ratio {growth:.2f} (target ≈ 1)"
    )
    return {
        "bench": "integrity",
        "quick": m["quick"],
        "files": n,
        "megabytes": round(size / MB, 2),
        "prober_s": round(prober_s, 4),
        "prober_files_per_s": round(n / prober_s, 1),
        "prober_mb_per_s": round(size / MB / prober_s, 1),
        "sequential_files": m["seq_files"],
        "sequential_s": round(m["seq_s"], 2),
        "sequential_files_per_s": round(seq_rate, 2),
        "sequential_mb_per_s": round(m["seq_size"] / MB / m["seq_s"], 3),
        "parallel_curl_s": round(m["parallel_s"], 4),
        "parallel_curl_compressed_s": round(m["gz_s"], 4),
        "speedup_vs_sequential": round(speedup, 1),
        "fraction_of_parallel_fetch": round(fraction, 3),
        "peak_rss_mb": small["peak_rss_mb"],
        "padded_megabytes": round(m["big_size"] / MB, 1),
        "padded_peak_rss_mb": large["peak_rss_mb"],
        "padded_prober_s": round(large_s, 3),
        "memory_growth_ratio": round(growth, 3),
        "parent_peak_rss_mb": peak_rss_mb(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"sequential loop on {SAMPLE} files")
    parser.add_argument(
        "--probe", nargs=3, metavar=("MANIFEST", "BASE_URL", "CA"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.probe:
        manifest, base_url, ca = args.probe
        probe(Path(manifest), base_url, Path(ca))
        return
    began = time.perf_counter()
    scratch = SCRATCH if Path(SCRATCH).is_dir() else None
    with tempfile.TemporaryDirectory(prefix="prepcheck-bench-integrity-", dir=scratch) as tmp:
        result = compare(Path(tmp), args.quick)
    result["total_s"] = round(time.perf_counter() - began, 1)
    print(f"total wall time: {result['total_s']} s")
    emit(result)


if __name__ == "__main__":
    main()
