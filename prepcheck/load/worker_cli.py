"""``prepcheck load-worker``: run on a worker machine, under a ``prepcheck load`` master.

Contract: the master address and the plan (written by the master's ``prepcheck load
--expect-workers``) are checked before anything starts: a bad address, a missing or unreadable
plan, or a CA the plan names that is not on this machine is a usage error (exit 2) naming it;
with ``--ca-file`` a copy of the plan naming that CA is used. Each of ``--runs`` runs starts one
Locust worker (``locust -f citizen.py --worker``) connected to the master and waits until
the master ends the run: at most ``--wait`` seconds for the master, plus the plan's duration,
plus ``HARD_MARGIN_SECONDS``. The worker is stopped by pid (process group included) in a
``finally``, also on Ctrl-C or SIGTERM. Each run leaves ``OUT/worker-<run>.log`` and
``OUT/worker-<run>.json``: this worker's Locust id and the requests it sent. Exit 0 when every
run ended with its count written, 1 otherwise, 2 for usage errors.

The worker only generates load; the master gathers the statistics and judges the difusor.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from prepcheck.files import read_bounded, why
from prepcheck.lifecycle import stop_requested
from prepcheck.load.locust_run import HARD_MARGIN_SECONDS, locust_argv
from prepcheck.load.plan import WORKER_SUMMARY_ENV
from prepcheck.load.remote import parse_master_address
from prepcheck.reference.process import ManagedProcess, tail

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
_PLAN_KEYS = ("host", "users", "rate", "stages", "weights", "ca_file", "timeout_seconds")
#: A plan is a few hundred bytes; a far larger file is not one.
MAX_JSON_BYTES = 1024 * 1024


class _Refused(ValueError):
    """A command-line value that cannot be used (the message is Spanish)."""


def run_worker(args: argparse.Namespace) -> int:
    """Serve ``args.runs`` runs of the master at ``args.master`` (see the module contract)."""
    try:
        host, port = _master(args.master)
        if args.runs < 1 or not args.wait > 0:
            raise _Refused("--runs debe ser 1 o más y --wait positivo")
        out = args.out.resolve()
        out.mkdir(parents=True, exist_ok=True)
        plan_file, seconds = _local_plan(args.plan, args.ca_file, out)
    except _Refused as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    argv = ["--worker", "--master-host", host, "--master-port", str(port)]
    with stop_requested() as stop:
        for run in range(1, args.runs + 1):
            print(f"Trabajador, corrida {run}/{args.runs}: maestro {host}:{port}", flush=True)
            summary, log = out / f"worker-{run}.json", out / f"worker-{run}.log"
            summary.unlink(missing_ok=True)
            log.unlink(missing_ok=True)
            environment = {WORKER_SUMMARY_ENV: str(summary)}
            process = ManagedProcess(
                locust_argv(plan_file, *argv, environment=environment), output=log, cwd=out
            )
            deadline = time.monotonic() + args.wait + seconds + HARD_MARGIN_SECONDS
            try:
                process.start()
                while process.alive() and time.monotonic() < deadline and not stop.is_set():
                    stop.wait(0.2)
            finally:
                process.stop()
            sent = _summary(summary)
            if stop.is_set() or sent is None:
                reason = "interrumpido" if stop.is_set() else "la corrida no terminó"
                print(f"prepcheck: {reason}; bitácora {log}:\n{tail(log)}", file=sys.stderr)
                return EXIT_FAILED
            print(f"  {sent['requests']} solicitudes enviadas (generador {sent['generator']})")
    return EXIT_OK


def _master(text: str) -> tuple[str, int]:
    try:
        return parse_master_address(text)
    except ValueError as exc:
        raise _Refused(f"--master: {exc}") from None


def _local_plan(plan: Path, ca_file: Path | None, out: Path) -> tuple[Path, float]:
    """The plan this worker runs (a copy naming ``ca_file`` when given) and its duration."""
    try:
        document = _read_json(plan)
    except OSError as exc:
        raise _Refused(f"--plan: {plan}: {why(exc)}") from None
    unreadable = _Refused(f"--plan: {plan} no es un plan legible de 'prepcheck load'")
    if not isinstance(document, dict) or not all(key in document for key in _PLAN_KEYS):
        raise unreadable
    try:
        seconds = float(document["stages"][-1]["end"])
    except (KeyError, IndexError, TypeError, ValueError):
        raise unreadable from None
    if ca_file is not None:
        if not ca_file.is_file():
            raise _Refused(f"--ca-file: {ca_file} no existe")
        local = out / "plan.json"
        partial = local.with_name("plan.json.partial")
        document = {**document, "ca_file": str(ca_file.resolve())}
        partial.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(local)
        return local, seconds
    if document["ca_file"] and not Path(document["ca_file"]).is_file():
        raise _Refused(
            f"el plan nombra la CA {document['ca_file']}, que no está en este equipo: "
            "cópiela y use --ca-file RUTA"
        )
    return plan.resolve(), seconds


def _read_json(path: Path) -> Any:
    """The JSON in ``path`` (at most ``MAX_JSON_BYTES``), None when it is no JSON; raises
    ``OSError`` when the file cannot be read (a pipe or a device included)."""
    try:
        return json.loads(read_bounded(path, MAX_JSON_BYTES))
    except (ValueError, RecursionError):
        return None


def _summary(path: Path) -> Any:
    """What the load child reported, None when it wrote nothing readable."""
    try:
        return _read_json(path)
    except OSError:
        return None
