"""``prepcheck reference serve``: a real server until SIGTERM, then nothing left running."""

from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from prepcheck.config import load_config


def wait_for_line(process: subprocess.Popen[str], pattern: str, timeout: float) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r} in: {''.join(seen)}")


def test_serve_publishes_serves_and_stops_cleanly(tmp_path):
    command = [
        sys.executable,
        "-m",
        "prepcheck.cli",
        "reference",
        "serve",
        "--port",
        "0",
        "--workdir",
        str(tmp_path),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = wait_for_line(process, r"en (https://\S+/)", 60).group(1)
        ca_file = wait_for_line(process, r"CA de ensayo: (\S+)", 5).group(1)
        config_path = wait_for_line(process, r"Configuración: (\S+)", 5).group(1)
        context = ssl.create_default_context(cafile=ca_file)
        response = httpx.get(url + "prepver2021/json/main.json", verify=context, timeout=10)
        assert response.status_code == 200
        assert "no-store" in response.headers["cache-control"]
        config = load_config(Path(config_path))
        assert config.difusor[0].base_url == url
        pid_file = next((tmp_path / "nginx" / "server").glob("**/server.pid"))
        server_pid = int(pid_file.read_text())
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        time.sleep(0.2)
        assert not Path(f"/proc/{server_pid}").exists(), "nginx still running after stop"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
