"""End to end: a run interrupted (SIGINT, SIGTERM) at several moments keeps what was known.

Finished difusores keep their new results, unfinished ones their earlier results marked
interrupted; no process of the run outlives it; the board and reports still match. Bounds on
elapsed time are generous: they tell "bounded" from "hung", not fast from slow.
"""

from __future__ import annotations

import signal
import time

import pytest
from runner_site import (
    CHEAP,
    alive,
    catches,
    config_for,
    run_process,
    serve_site,
    sessions_of_run,
    wait_for,
)

from prepcheck.checklist.options import Options
from prepcheck.checklist.runner import run_checklist
from prepcheck.outputs import render
from prepcheck.reference.process import descendants
from prepcheck.results import EXIT_INTERRUPTED, read_document


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from serve_site(tmp_path_factory)


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
            # The command is parsing and loading, no session started yet; but its handler is
            # in place (a SIGTERM during the interpreter's own start-up ends any program).
            assert wait_for(lambda: catches(process.pid, signum), 60)
        elif moment == "sessions-running":
            assert wait_for(lambda: len(sessions_of_run(process.pid)) >= 2, 60)
        elif moment == "tls-scan":
            assert wait_for(lambda: len(sessions_of_run(process.pid)) >= 2, 60)
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
