"""``prepcheck demo``: a whole simulacro against the embedded reference difusores, now.

Order matters: monitoring and the load test run first, the checklist run next (its SFTP
rehearsal uploads, last in the run, change what the difusores publish), then the difusor-side
self-test and the memoria técnica. Every step merges into the same results.json files.
"""

from __future__ import annotations

import os
from pathlib import Path

from prepcheck.checklist.runner import run_checklist
from prepcheck.demo.simulacro import (
    CENTRE_TIME,
    DEMO_LOAD,
    DEMO_WORKDIR,
    current_corte,
    publication_window,
    sftp_table,
    write_config,
)
from prepcheck.reference.difusor import ReferenceDifusor
from prepcheck.results import VERDICT_LABELS, Verdict, exit_code, read_document
from prepcheck.sample import BuiltPackage, build_package

# Brief monitoring: 2-second simulated update periods, a probe every half second.
MONITOR_ARGS = ("--for", "8s", "--every", "0.5", "--period-seconds", "2")


def _name(difusor: ReferenceDifusor) -> str:
    return f"referencia-{difusor.server.kind}"


def _cli(*args: str) -> int:
    from prepcheck.cli import main

    return main(list(args))


def _build(workdir: Path, scale: str) -> BuiltPackage:
    corte = current_corte()
    built = build_package(
        corte,
        workdir / "packages",
        scale=scale,  # type: ignore[arg-type]
        utc_offset=CENTRE_TIME,
        election_start=publication_window(corte)[0],
    )
    print(f"Paquete de ensayo: {built.archive} (corte {corte:%d/%m/%Y %H:%M} UTC-6)")
    return built


def _start(difusores: list[ReferenceDifusor], built: BuiltPackage) -> None:
    for difusor in difusores:
        difusor.publish(built.archive, built.digest_file, force=True)
        difusor.start()
        print(f"Difusor de referencia {difusor.server.kind}: {difusor.base_url}")


def _config(out_dir: Path, built: BuiltPackage, difusores: list[ReferenceDifusor]) -> Path:
    sftp = {_name(d): sftp_table(d, rehearsal_uploads=True) for d in difusores if d.upload}
    return write_config(
        out_dir / "prepcheck-demo.toml",
        built.archive,
        [(_name(d), d.base_url, d.ca_file, d.http_url) for d in difusores],
        embedded_portal=True,
        load_table=DEMO_LOAD,
        sftp_tables=sftp,
    )


def _host_side(config: Path, out_dir: Path, difusor: ReferenceDifusor) -> None:
    """What the difusor itself runs on its host: the self-test and the memoria técnica."""
    name, log = _name(difusor), str(difusor.server.access_log)
    print(f"\nAutoevaluación en el servidor de {name}")
    _cli("selftest", "--difusor", name, "--config", str(config), "--out", str(out_dir),
         "--site-root", str(difusor.published), "--history", str(difusor.history),
         "--access-log", log)  # fmt: skip
    _cli("memoria", "--difusor", name, "--config", str(config), "--out", str(out_dir),
         "--access-log", log)  # fmt: skip


def run_demo(
    out_dir: Path, *, servers: str = "both", scale: str = "small", workdir: Path = DEMO_WORKDIR
) -> int:
    """Run the simulacro; the exit code is the reference difusores' final verdict (the one
    policy of ``prepcheck.results.status``: 0 CUMPLE, 1 NO CUMPLE, 3 INCOMPLETO).

    SFTP (OpenSSH sshd) is part of it when running as root, as the reference sshd requires.
    """
    kinds = ("nginx", "apache") if servers == "both" else (servers,)
    with_sftp = os.geteuid() == 0
    built = _build(workdir, scale)
    difusores = [
        ReferenceDifusor(workdir / kind, kind=kind, sftp=with_sftp)  # type: ignore[arg-type]
        for kind in kinds
    ]
    try:
        _start(difusores, built)
        config = _config(out_dir, built, difusores)
        print("\nMonitoreo breve (periodos simulados de 2 s)")
        _cli("monitor", "--config", str(config), "--out", str(out_dir), *MONITOR_ARGS)
        for difusor in difusores:
            print(f"\nPrueba de carga breve de {_name(difusor)} (loopback)")
            _cli(
                "load", "--difusor", _name(difusor), "--config", str(config), "--out", str(out_dir)
            )
        outcome = run_checklist(config, out_dir)
        for difusor in difusores:
            _host_side(config, out_dir, difusor)
    finally:
        for difusor in difusores:
            difusor.stop()
    return _summary(outcome.board, list(outcome.results))


def _summary(board: Path, results: list[Path]) -> int:
    print(f"\nTablero: {board}")
    verdicts = []
    for path in results:
        verdict = Verdict(read_document(path)["verdict"])
        verdicts.append(verdict)
        report = path.with_name("report.html")
        print(f"  {path.parent.name}: {VERDICT_LABELS[verdict]} — {report}")
    return exit_code(verdicts)
