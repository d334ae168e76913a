"""``prepcheck ingest``: one package, or ``--watch`` an upload folder until interrupted."""

from __future__ import annotations

import argparse
import logging

from prepcheck.errors import ConfigError
from prepcheck.ingest import IngestOutcome, ingest, watch
from prepcheck.lifecycle import stop_requested

_EXIT = {"published": 0, "already-published": 0, "rejected": 1}


def _describe(result: IngestOutcome) -> str:
    labels = {
        "published": "publicado",
        "already-published": "ya estaba publicado",
        "rejected": "rechazado",
    }
    text = f"{labels[result.status]}: corte {result.corte or '?'}"
    return f"{text} — {result.reason}" if result.reason else text


def run_ingest(args: argparse.Namespace) -> int:
    """Exit 0 when published (or already), 1 when rejected, 2 on usage errors."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.watch is not None:
        return _run_watch(args)
    if args.package is None:
        raise ConfigError("indique el PAQUETE a publicar, o --watch CARPETA_DE_CARGA")
    result = ingest(
        args.package,
        digest_file=args.digest,
        algorithm=args.algorithm,
        root=args.root,
        history=args.history,
        force=args.force,
    )
    print(_describe(result))
    return _EXIT[result.status]


def _run_watch(args: argparse.Namespace) -> int:
    if args.quarantine is None:
        raise ConfigError("--watch necesita --quarantine CARPETA para las cargas rechazadas")
    print(f"Vigilando {args.watch} (Ctrl-C para detener)", flush=True)
    with stop_requested() as stop:
        results = watch(
            args.watch,
            root=args.root,
            history=args.history,
            quarantine=args.quarantine,
            poll_seconds=args.poll,
            max_iterations=args.max_iterations,
            stop_event=stop,
        )
    for result in results:
        print(_describe(result))
    return 0
