"""End to end: the runner under stress — a hanging difusor among many, a difusor whose results
cannot be written, the run timeout, --shard/merge and JUnit XML (interruptions:
test_runner_interruption.py).

Bounds on elapsed time are generous (documented at each assert): they tell "bounded" from
"hung", not fast from slow.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from runner_site import CHEAP, config_for, serve_site, statuses

from prepcheck.checklist.options import Options
from prepcheck.checklist.runner import GRACE_S, run_checklist
from prepcheck.checklist.shard import Shard
from prepcheck.demo.simulacro import write_config
from prepcheck.reference.latency import LatencyProxy
from prepcheck.reference.official_site import ReferenceSite
from prepcheck.results import read_document

pytestmark = pytest.mark.slow

HANG_BUDGET_S = 8.0


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from serve_site(tmp_path_factory)


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


def test_the_tls_scan_runs_only_for_a_session_that_measures_tls(site, tmp_path):
    _, built, nginx, _ = site
    with LatencyProxy(("127.0.0.1", nginx.server.https_port), rtt_ms=0) as proxy:
        url = f"https://localhost:{proxy.port}/"
        config = write_config(tmp_path / "p.toml", built.archive, [("lejos", url, nginx.ca_file)])
        run_checklist(config, tmp_path / "sitio", options=Options(checks=("site.",)))
        without_tls = proxy.connections
        run_checklist(config, tmp_path / "tls", options=Options(checks=("tls.protocols",)))
        with_tls = proxy.connections - without_tls
    # The site ids share one HTTP/2 connection or a few (redirects, the folder, a 404); a TLS
    # scan opens one per protocol version and cipher tried, dozens at the least.
    assert without_tls <= 5
    assert with_tls >= 20
    assert statuses(tmp_path / "tls" / "lejos" / "results.json")["tls.protocols"] == "pass"


def test_the_reference_site_is_served_only_for_a_run_that_measures_browser_ids(
    site, tmp_path, monkeypatch
):
    """Serving the reference extracts the whole package (a 10,000-file corte at full scale):
    a run that measures no browser id does without it."""
    _, built, nginx, _ = site
    served: list[ReferenceSite] = []
    start = ReferenceSite.start

    def counted(self: ReferenceSite) -> None:
        served.append(self)
        start(self)

    monkeypatch.setattr(ReferenceSite, "start", counted)
    config = write_config(
        tmp_path / "p.toml", built.archive, [("uno", nginx.base_url, nginx.ca_file)],
        render_pages=["#/"],
    )  # fmt: skip
    run_checklist(config, tmp_path / "sitio", options=Options(checks=("site.reachable",)))
    assert served == []
    browsing = Options(checks=("freshness.corte-displayed",))
    run_checklist(config, tmp_path / "navegador", options=browsing)
    assert len(served) == 1
    found = statuses(tmp_path / "navegador" / "uno" / "results.json")
    assert found["freshness.corte-displayed"] == "pass"


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
