"""End to end: the runner under stress — a hanging difusor among many, interruptions at several
moments, a difusor whose results cannot be written, the run timeout, and --shard/merge.

Most runs measure only a few cheap ids (``Options.checks``) so each case takes seconds; several
difusores share one real nginx reference (different names, same address), which is what the
runner sees as separate difusores. Bounds on elapsed time are generous (documented at each
assert): they tell "bounded" from "hung", not fast from slow.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from prepcheck.checklist.runner import GRACE_S, Options, Shard, run_checklist
from prepcheck.demo.simulacro import CENTRE_TIME, write_config
from prepcheck.outputs import render
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.reference.process import descendants, live_processes
from prepcheck.results import EXIT_INTERRUPTED, read_document
from prepcheck.sample import build_package

CORTE = datetime(2021, 6, 6, 21, 15, tzinfo=CENTRE_TIME)
CHEAP = ("site.reachable", "headers.main-json-cache-control", "package.checksum")
HANG_BUDGET_S = 8.0


class SilentServer:
    """Accepts TCP connections on loopback and never sends a byte (a stuck TLS terminator)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for conn in self._held:
            conn.close()
        self.sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One real nginx reference difusor and one silent server, for the whole module."""
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
    config = write_config(path, built.archive, entries, render_pages=["#/"])
    text = config.read_text(encoding="utf-8")
    for key, value in extra.items():  # every [[difusor]] gets these keys
        text = text.replace("[[difusor]]\n", f"[[difusor]]\n{key} = {value}\n")
    config.write_text(text, encoding="utf-8")
    return config


def statuses(path: Path) -> dict[str, str]:
    return {r["id"]: r["status"] for r in read_document(path)["checks"]}


def test_a_hanging_difusor_among_many_keeps_its_bound_and_delays_nobody(site, tmp_path):
    config = config_for(
        site, tmp_path / "p.toml", good=6, hanging=1,
        budget_seconds=str(HANG_BUDGET_S), timeout_seconds="30",
    )  # fmt: skip
    options = Options(jobs=7, checks=CHEAP, technical_report=False)
    started = time.monotonic()
    outcome = run_checklist(config, tmp_path / "out", options=options)
    elapsed = time.monotonic() - started
    for i in range(6):
        found = statuses(tmp_path / "out" / f"bueno-{i}" / "results.json")
        assert {found[cid] for cid in CHEAP} == {"pass"}, found
        assert (tmp_path / "out" / f"bueno-{i}" / "report.html").exists()
    hung = statuses(tmp_path / "out" / "colgado-0" / "results.json")
    assert hung["site.reachable"] == hung["headers.main-json-cache-control"] == "error"
    assert outcome.exit_code == 1
    # The hanging difusor's whole session is bounded by its budget plus the grace; the other six
    # ran beside it. Generous margin for a busy machine (process start-ups, landing, reports).
    assert elapsed < HANG_BUDGET_S + GRACE_S + 60


def test_one_difusor_that_cannot_be_written_leaves_the_others_intact(site, tmp_path):
    config = config_for(site, tmp_path / "p.toml", good=3)
    out = tmp_path / "out"
    (out / "bueno-1" / "results.json").mkdir(parents=True)  # a folder where the file goes
    outcome = run_checklist(config, out, options=Options(checks=CHEAP, technical_report=False))
    assert outcome.exit_code == 1  # no readable verdict for bueno-1
    for name in ("bueno-0", "bueno-2"):
        assert {statuses(out / name / "results.json")[c] for c in CHEAP} == {"pass"}
        assert (out / name / "report.html").exists()
    board = (out / "index.html").read_text(encoding="utf-8")
    assert "bueno-0" in board and "bueno-2" in board
    assert not list(out.glob("*/.results.json-*"))  # no temporary file left behind


def test_the_run_timeout_marks_only_the_unfinished(site, tmp_path):
    config = config_for(
        site, tmp_path / "p.toml", good=1, hanging=1, budget_seconds="600", timeout_seconds="30"
    )
    options = Options(checks=CHEAP, technical_report=False, timeout_s=20)
    outcome = run_checklist(config, tmp_path / "out", options=options)
    good = read_document(tmp_path / "out" / "bueno-0" / "results.json")
    assert good["interrupted"] is None and good["verdict"] != "fail"
    hung = read_document(tmp_path / "out" / "colgado-0" / "results.json")
    assert hung["interrupted"] is not None and "límite de tiempo" in hung["interrupted"]["note"]
    assert hung["verdict"] == "fail"  # nothing earlier to keep: unmeasured checks are errors
    assert outcome.exit_code == 1


def run_process(config: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "prepcheck.cli", "run", "--config", str(config)]
    command += ["--out", str(out), "--quiet", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def processes_of_run(out: Path) -> list[int]:
    """Live processes whose command line names this run's output folder (sessions, sslyze)."""
    found = []
    for info in live_processes():
        try:
            cmdline = Path(f"/proc/{info.pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(out) in cmdline:
            found.append(info.pid)
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


@pytest.mark.parametrize(
    ("signum", "moment"),
    [
        (signal.SIGTERM, "startup"),
        (signal.SIGINT, "sessions-running"),
        (signal.SIGTERM, "tls-scan"),
        (signal.SIGTERM, "after-one-finished"),
    ],
)
def test_interruption_keeps_what_was_known(site, tmp_path, signum, moment):
    config = config_for(
        site, tmp_path / "p.toml", good=1, hanging=1, budget_seconds="300", timeout_seconds="60"
    )
    out = tmp_path / "out"
    earlier = run_checklist(config, out, ["bueno-0"], options=Options(checks=CHEAP))
    assert earlier.exit_code in (0, 3)
    seeded = out / "colgado-0" / "results.json"
    seeded.parent.mkdir(parents=True, exist_ok=True)
    seeded.write_bytes((out / "bueno-0" / "results.json").read_bytes().replace(
        b'"bueno-0"', b'"colgado-0"'
    ))  # fmt: skip
    render(out, seeded)  # an earlier run of colgado-0: its report and its board row
    before = read_document(seeded)
    process = run_process(config, out, "--check", "site.", "--check", "tls.")
    try:
        if moment == "startup":
            time.sleep(1.5)  # the command is parsing and loading: no session started yet
        elif moment == "sessions-running":
            assert wait_for(lambda: len(processes_of_run(out)) >= 3, 60)
        elif moment == "tls-scan":
            assert wait_for(lambda: len(processes_of_run(out)) >= 3, 60)
            time.sleep(2.0)
        else:

            def good_done() -> bool:
                path = out / "bueno-0" / "results.json"
                return path.exists() and read_document(path)["started_at"] != before["started_at"]

            assert wait_for(good_done, 120)
        tree = descendants(process.pid)  # sessions, their browsers, the sslyze child
        process.send_signal(signum)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == EXIT_INTERRUPTED, output
    assert "Traceback" not in output
    assert wait_for(lambda: not alive(tree), 15), alive(tree)
    after = read_document(seeded)
    # The unfinished difusor keeps its earlier results, marked interrupted (at "startup" the
    # signal may come before any session started: then nothing was touched at all).
    assert after["interrupted"] is not None or moment == "startup"
    assert [r["status"] for r in after["checks"]] == [r["status"] for r in before["checks"]]
    if moment == "after-one-finished":
        good = read_document(out / "bueno-0" / "results.json")
        assert good["interrupted"] is None
    board = (out / "index.html").read_text(encoding="utf-8")
    for name in ("bueno-0", "colgado-0"):
        assert f"{name}/report.html" in board
        assert (out / name / "report.html").exists()
    assert not list(out.glob("*/checklist-session.jsonl"))


def test_shards_merged_equal_one_run(site, tmp_path):
    config = config_for(site, tmp_path / "p.toml", good=4, hanging=1, budget_seconds="10")
    options = Options(jobs=5, checks=CHEAP, technical_report=False)
    whole = run_checklist(config, tmp_path / "whole", options=options)
    for index in (1, 2):
        run_checklist(config, tmp_path / f"part{index}", shard=Shard(index, 2), options=options)
    parts = [sorted(p.name for p in (tmp_path / f"part{i}").glob("*/")) for i in (1, 2)]
    assert not set(parts[0]) & set(parts[1]) and len(parts[0]) + len(parts[1]) == 5
    merged = tmp_path / "merged"
    done = subprocess.run(
        [sys.executable, "-m", "prepcheck.cli", "merge", str(tmp_path / "part1"),
         str(tmp_path / "part2"), "--out", str(merged)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == whole.exit_code, done.stdout + done.stderr
    for path in (tmp_path / "whole").glob("*/results.json"):
        other = merged / path.parent.name / "results.json"
        assert statuses(other) == statuses(path)
        assert read_document(other)["verdict"] == read_document(path)["verdict"]
    names = sorted(p.parent.name for p in merged.glob("*/results.json"))
    board = (merged / "index.html").read_text(encoding="utf-8")
    assert all(f"{name}/report.html" in board for name in names)


def test_shard_selection_is_deterministic_and_complete():
    names = [f"d{i:02d}" for i in range(11)]
    slices = [Shard(k, 3).select(list(reversed(names))) for k in (1, 2, 3)]
    assert sorted(n for part in slices for n in part) == names
    assert slices == [Shard(k, 3).select(names) for k in (1, 2, 3)]
    with pytest.raises(ValueError, match="K/N"):
        Shard.parse("2")
    with pytest.raises(ValueError, match="entre 1 y N"):
        Shard.parse("4/3")


def test_junit_xml_has_one_testcase_per_check(site, tmp_path):
    config = config_for(site, tmp_path / "p.toml", good=2)
    junit = tmp_path / "junit.xml"
    done = subprocess.run(
        [sys.executable, "-m", "prepcheck.cli", "run", "--config", str(config), "--out",
         str(tmp_path / "out"), "--check", "site.", "--junitxml", str(junit), "--quiet"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode in (0, 1, 3), done.stdout + done.stderr
    text = junit.read_text(encoding="utf-8")
    assert text.count("<testsuite ") == 2
    assert text.count("<testcase ") == 2 * len(json.loads(
        (tmp_path / "out" / "bueno-0" / "results.json").read_text(encoding="utf-8")
    )["checks"])  # fmt: skip
    assert "No medida" in text and "site.reachable" in text
