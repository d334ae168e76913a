"""Run a child process with a hard time bound: on expiry its whole process group is killed."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence

OUTPUT_LIMIT = 4 * 1024 * 1024


def run_bounded(command: Sequence[str], timeout_s: float) -> tuple[str, str]:
    """Run ``command`` in its own process group and return (stdout, stderr), each capped at
    ``OUTPUT_LIMIT`` bytes (the tail). Past ``timeout_s`` the whole group is killed and
    ``subprocess.TimeoutExpired`` is raised; ``OSError`` when it cannot start."""
    with subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return (
        out[-OUTPUT_LIMIT:].decode("utf-8", "replace"),
        err[-OUTPUT_LIMIT:].decode("utf-8", "replace"),
    )
