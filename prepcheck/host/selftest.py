"""``prepcheck selftest``: the ``host.*`` checks, run by a difusor on its own server.

Contract of ``run_selftest(args)``: reads the configuration (the difusor's ``host`` settings),
collects the facts (``prepcheck.host.disk``, ``.history``, ``.access_log``) and judges them
(``prepcheck.checks.host``): ``host.disk-free`` on the site and history folders,
``host.history-kept`` on the history and ``host.access-log`` on the live access log; merges
the three records into ``OUT/<difusor>/results.json`` and re-renders its report and the board
(``outputs.land``). The exit code is the difusor's verdict after landing; configuration errors
and an invalid ``--access-log-format`` raise ``ConfigError`` (exit 2 in the CLI) before
anything is measured or written.
"""

from __future__ import annotations

import argparse
from datetime import timedelta, tzinfo

from prepcheck.checks.host import GB, access_log, disk_free, history_kept
from prepcheck.config import HostSettings, load_config
from prepcheck.errors import ConfigError
from prepcheck.formats.logformat import compile_format
from prepcheck.host.access_log import read_access_log
from prepcheck.host.disk import measure_folders
from prepcheck.host.history import read_history
from prepcheck.outputs import land, subject_of
from prepcheck.results import STATUS_LABELS, CheckResult, exit_code, now_iso


def selftest_results(args: argparse.Namespace, host: HostSettings, tz: tzinfo) -> list[CheckResult]:
    """The three host.* results for the folders and log named in ``args``; moments are
    shown in ``tz``, the election's time zone."""
    folders = {"sitio": args.site_root, "históricos": args.history}
    return [
        disk_free(measure_folders(folders), int(host.min_free_gb * GB)),
        history_kept(read_history(args.history), host.max_problems),
        access_log(
            read_access_log(args.access_log),
            args.access_log_format,
            timedelta(minutes=host.access_log_max_age_minutes),
            tz,
        ),
    ]


def run_selftest(args: argparse.Namespace) -> int:
    """Run, record and report the self-test (see the module contract)."""
    config = load_config(args.config)
    difusor = config.find(args.difusor)
    try:
        compile_format(args.access_log_format)
    except ValueError as exc:  # the operator's mistake, not the difusor's finding
        raise ConfigError(f"--access-log-format: {exc}") from None
    started = now_iso()
    results = selftest_results(args, difusor.host, config.election.tz)
    for result in results:
        print(f"{STATUS_LABELS[result.status]:<12} {result.id}: {result.message}")
    subject = subject_of(config, difusor)
    out = args.out.resolve()
    landed = land(
        out, subject, results, started_at=started, command="selftest", campaign=config.campaign
    )
    print(f"Resultados: {landed.path}\nInforme: {landed.report}")
    return exit_code([landed.verdict])
