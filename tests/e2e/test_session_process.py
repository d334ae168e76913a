"""Checking sessions forked from the preloaded fork server: what a child started by
``start_session`` sees and how it ends (the runner relies on each of these)."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
import time

import pytest

from prepcheck.checklist.session_process import SESSION_NAME, start_session

#: Generous: forking is fast, but the fork server's first start imports pytest and the checks.
START_S = 60


def _suite(folder, body: str):
    path = folder / "test_child.py"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return [str(path), "-q", "-p", "no:cacheprovider", f"--rootdir={folder}"]


def test_child_runs_pytest_with_the_callers_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PREPCHECK_PRUEBA_HIJO", "visto")
    monkeypatch.chdir(tmp_path)
    args = _suite(
        tmp_path,
        """
        import os
        from pathlib import Path

        def test_environment():
            print("salida-del-hijo")
            assert os.environ["PREPCHECK_PRUEBA_HIJO"] == "visto"
            assert Path.cwd().name == Path(__file__).parent.name
            assert os.getsid(0) == os.getpid()
            assert Path("/proc/self/comm").read_text().strip() == "{name}"
        """.replace("{name}", SESSION_NAME),
    )
    log = tmp_path / "sesion.log"
    session = start_session([*args, "-s"], log)
    assert session.wait(START_S) == 0, log.read_text()
    assert session.poll() == 0
    assert "salida-del-hijo" in log.read_text()
    assert "1 passed" in log.read_text()


def test_the_preloaded_heap_is_out_of_the_collectors_sight(tmp_path):
    args = _suite(
        tmp_path,
        """
        import gc
        import sys

        def test_frozen():
            # What the fork server preloaded (pytest, the checks) was frozen at the fork;
            # what the session itself allocates is still collected.
            assert "prepcheck.checks" in sys.modules
            assert gc.get_freeze_count() > 50_000
            assert gc.isenabled()
        """,
    )
    log = tmp_path / "sesion.log"
    assert start_session(args, log).wait(START_S) == 0, log.read_text()


def test_exit_code_is_pytests(tmp_path):
    args = _suite(tmp_path, "def test_fails():\n    assert False\n")
    session = start_session(args, tmp_path / "sesion.log")
    assert session.wait(START_S) == 1


def test_a_killed_session_reports_its_signal(tmp_path):
    args = _suite(tmp_path, "import time\n\ndef test_waits():\n    time.sleep(600)\n")
    session = start_session(args, tmp_path / "sesion.log")
    assert session.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        session.wait(0.2)
    time.sleep(0.5)
    os.kill(session.pid, signal.SIGKILL)
    assert session.wait(START_S) == -signal.SIGKILL
    assert session.returncode == -signal.SIGKILL
