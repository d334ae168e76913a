"""``prepcheck package build``: read the command line's times, refuse bad ones, build.

Contract: ``--corte`` and ``--election-start`` are local election time (``YYYY-MM-DD HH:MM``;
an ISO time with an offset is converted); ``--utc-offset`` defaults by date and
``--election-start`` to the last 19:00 at or before the corte (``build_corte``). A time that
cannot be read, or a corte before the election's opening, is a usage error (exit 2) with a
Spanish message naming the option; nothing is written then.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone

from prepcheck.config import parse_utc_offset
from prepcheck.sample import build_package
from prepcheck.sample.corte import (
    corte_text,
    default_election_start,
    default_utc_offset,
    localize,
)
from prepcheck.sample.data import PUBLICATION_HOURS

EXIT_OK, EXIT_USAGE = 0, 2


class _Refused(ValueError):
    """A command-line value that cannot be used (the message is Spanish)."""


def run_build(args: argparse.Namespace) -> int:
    """Build the package ``args`` describe; 0 when written, 2 for a usage error."""
    try:
        corte, offset, start = _times(args)
    except _Refused as exc:
        print(f"prepcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    built = build_package(
        corte,
        args.out,
        scale=args.scale,
        fmt=args.format,
        seed=args.seed,
        utc_offset=offset,
        election_start=start,
    )
    print(f"{built.archive} ({built.files} archivos)\n{built.digest_file}\nsha256 {built.sha256}")
    print(f"Corte {corte_text(built.corte)}; apertura de la elección {corte_text(start)}")
    if built.corte - start >= timedelta(hours=PUBLICATION_HOURS):
        print(
            f"Aviso: el PREP cierra {PUBLICATION_HOURS} h después de la apertura; cifras finales."
        )
    return EXIT_OK


def _times(args: argparse.Namespace) -> tuple[datetime, timezone, datetime]:
    """(local corte, offset, local election start) from the command line, validated."""
    corte = _moment(args.corte, "--corte")
    if args.utc_offset is None:
        offset = default_utc_offset(corte)
    else:
        try:
            offset = parse_utc_offset(args.utc_offset)
        except ValueError:
            raise _Refused(
                f"--utc-offset: se esperaba un desfase como -06:00, se recibió {args.utc_offset!r}"
            ) from None
    local = localize(corte, offset)
    if args.election_start is None:
        return local, offset, default_election_start(local)
    start = localize(_moment(args.election_start, "--election-start"), offset)
    if local < start:
        raise _Refused(
            f"el corte {corte_text(local)} es anterior a la apertura de la elección "
            f"({corte_text(start)}); indique un --corte posterior o una --election-start anterior"
        )
    return local, offset, start


def _moment(text: str, option: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise _Refused(
            f'{option}: se esperaba una fecha y hora como "2027-06-06 21:15", se recibió {text!r}'
        ) from None
