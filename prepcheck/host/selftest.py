"""``prepcheck selftest``: the ``host.*`` checks, run by a difusor on its own server.

Contract of ``run_selftest(args)``: reads the configuration (the difusor's ``host`` settings),
runs ``host.disk-free`` on the site and history folders, ``host.history-kept`` on the history
and ``host.access-log`` on the live access log; merges the three records into
``OUT/<difusor>/results.json`` and re-renders its report and the board (``outputs.land``). The
exit code is the difusor's verdict after landing; configuration errors raise ``ConfigError``
(exit 2 in the CLI).
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from prepcheck.config import load_config
from prepcheck.host.access_log import check_access_log
from prepcheck.host.disk import GB, check_disk_free
from prepcheck.host.history import check_history
from prepcheck.outputs import land, subject_of
from prepcheck.results import STATUS_LABELS, CheckResult, exit_code, now_iso


def selftest_results(args: argparse.Namespace, min_free_gb: float, max_age_minutes: int,
                     max_problems: int) -> list[CheckResult]:  # fmt: skip
    """The three host.* results for the folders and log named in ``args``."""
    folders = {"sitio": args.site_root, "históricos": args.history}
    return [
        check_disk_free(folders, int(min_free_gb * GB)),
        check_history(args.history, max_problems),
        check_access_log(
            args.access_log, args.access_log_format, timedelta(minutes=max_age_minutes)
        ),
    ]


def run_selftest(args: argparse.Namespace) -> int:
    """Run, record and report the self-test (see the module contract)."""
    config = load_config(args.config)
    difusor = config.find(args.difusor)
    started = now_iso()
    host = difusor.host
    results = selftest_results(
        args, host.min_free_gb, host.access_log_max_age_minutes, host.max_problems
    )
    for result in results:
        print(f"{STATUS_LABELS[result.status]:<12} {result.id}: {result.message}")
    subject = subject_of(config, difusor)
    out = args.out.resolve()
    landed = land(
        out, subject, results, started_at=started, command="selftest", campaign=config.campaign
    )
    print(f"Resultados: {landed.path}\nInforme: {landed.report}")
    return exit_code([landed.verdict])
