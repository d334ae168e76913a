"""The ``prepcheck`` command: the parser of every sub-command and the entry point.

Contract of :func:`main`: returns the exit code; every user mistake ends with one Spanish
message on stderr and exit 2 (argparse's own errors exit 2 through ``SystemExit``), never a
traceback. A closed stdout (``prepcheck checks | head``) ends quietly with 141 (128 + SIGPIPE,
as a shell reports a program stopped by SIGPIPE); Ctrl-C and SIGTERM end with 130 (commands
that run long handle both themselves and keep what they measured).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

from prepcheck.cli import campaign, checklist, measure, package, services
from prepcheck.cli.spanish import SpanishArgumentParser
from prepcheck.errors import ConfigError, HarnessError, PackageError, ResultsFileError, UsageError
from prepcheck.files import why
from prepcheck.lifecycle import stop_signals_handled
from prepcheck.results import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE

#: 128 + SIGPIPE, what a shell reports for a program stopped by a closed pipe.
EXIT_BROKEN_PIPE = 141
Handler = Callable[[argparse.Namespace], int]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, as prepcheck's own handler raises it.

    A subclass, never ``KeyboardInterrupt`` itself: CPython remembers a bare KeyboardInterrupt
    that left a nested evaluation and, at exit, kills the process with SIGINT even though
    ``main`` caught it (its check compares the exact type). Measured: 2 to 5 of 60 SIGTERMs at
    start-up ended "killed by SIGINT" after printing the message, instead of exit 130.
    """


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise Interrupted


DESCRIPTION = (
    "Revisa que cada difusor del PREP publique el sitio oficial íntegro, al día y por un canal "
    "seguro, y escribe un informe en español por difusor."
)
EPILOG = (
    "Códigos de salida: 0 CUMPLE (o el comando hizo lo pedido); 1 NO CUMPLE (o la operación "
    "falló, p. ej. un paquete rechazado); 2 error de uso o de configuración; 3 INCOMPLETO (faltan "
    "verificaciones obligatorias por medir); 130 interrumpido (Ctrl-C o SIGTERM). "
    "Ayuda de cada comando: prepcheck COMANDO --help."
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every sub-command, in Spanish."""
    parser = SpanishArgumentParser(prog="prepcheck", description=DESCRIPTION, epilog=EPILOG)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMANDO", title="comandos"
    )
    checklist.add_commands(commands)
    package.add_commands(commands)
    services.add_commands(commands)
    measure.add_commands(commands)
    campaign.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (see the module contract).

    SIGINT and SIGTERM stop the command from its first line, inside the handling below (a
    signal during the interpreter's own start-up ends any program); the caller's handlers are
    back when it returns. A stop whose exception C code swallowed (see
    ``lifecycle.stop_signals_handled``) still ends the command as interrupted, without the
    interpreter's "Exception ignored" traceback."""
    try:
        with stop_signals_handled(_interrupt) as stopped, _lost_interrupts_unreported():
            try:
                code = _dispatch(argv)
            except SystemExit:
                if not stopped.is_set():
                    raise
                raise Interrupted from None  # argparse's own exit, after a lost stop
            if stopped.is_set():
                raise Interrupted
            return code
    except KeyboardInterrupt:
        return _fail("interrumpido por el usuario (Ctrl-C)", EXIT_INTERRUPTED)


def _dispatch(argv: Sequence[str] | None) -> int:
    """Parse ``argv`` and run its command; the user's mistakes become their exit codes."""
    try:
        args = build_parser().parse_args(argv)
        handler: Handler = args.handler
        code = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except ConfigError as exc:
        return _fail(f"error de configuración: {exc}", EXIT_USAGE)
    except (UsageError, ResultsFileError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except PackageError as exc:
        return _fail(f"paquete rechazado: {exc}", EXIT_FAILED)
    except HarnessError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # a folder given that cannot be written, a full disk...
        return _fail(_file_problem(exc), EXIT_USAGE)
    except sqlite3.Error as exc:
        return _fail(f"base de datos SQLite: {_sqlite_problem(exc)}", EXIT_USAGE)


def _file_problem(exc: OSError) -> str:
    """``exc`` in Spanish, naming the file(s) it is about."""
    names = [str(name) for name in (exc.filename, exc.filename2) if name is not None]
    return f"{' → '.join(names)}: {why(exc)}" if names else why(exc)


#: SQLite's own messages (English) for what a person can mend.
_SQLITE_PROBLEMS = {
    "unable to open database file": "no se pudo abrir el archivo (¿existe su carpeta? ¿hay "
    "permiso de escritura?)",
    "database disk image is malformed": "el archivo está dañado",
    "file is not a database": "el archivo no es una base de datos SQLite",
    "database is locked": "otro proceso la tiene ocupada; vuelva a intentarlo",
    "attempt to write a readonly database": "es de solo lectura",
    "disk I/O error": "error de entrada/salida del disco",
    "database or disk is full": "no queda espacio en el disco",
}


def _sqlite_problem(exc: sqlite3.Error) -> str:
    text = str(exc)
    return next((es for en, es in _SQLITE_PROBLEMS.items() if en in text), "error de SQLite")


@contextmanager
def _lost_interrupts_unreported() -> Iterator[None]:
    """Inside the block, an ``Interrupted`` that C code could not pass on is not printed (the
    stop is kept by ``stop_signals_handled``); anything else is reported as before."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, Interrupted):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _fail(message: str, code: int) -> int:
    print(f"prepcheck: {message}", file=sys.stderr)
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (captured in tests): nothing left to flush
