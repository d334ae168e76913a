"""Argument types of the command line: each converts one value or refuses it in Spanish.

Contract: every function takes the text typed on the command line and returns the converted
value, or raises ``argparse.ArgumentTypeError`` whose message says what was expected and what
was given (argparse then exits 2 naming the argument). Paths are checked by kind only where
the command reads them; output folders only need not be a file.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path


def positive_int(text: str) -> int:
    """An integer above 0."""
    value = _int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"se esperaba un número entero mayor que 0; se recibió {text!r}"
        )
    return value


def integer(text: str) -> int:
    """Any integer (its range, when it has one, is the command's to check)."""
    return _int(text)


def number(text: str) -> float:
    """Any finite number (its range, when it has one, is the command's to check)."""
    value = _float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"se esperaba un número finito; se recibió {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0."""
    value = _float(text)
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"se esperaba un número mayor que 0; se recibió {text!r}")
    return value


def port(text: str) -> int:
    """A TCP port, 1..65535."""
    value = _int(text, "un número de puerto")
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"se esperaba un puerto entre 1 y 65535; se recibió {text!r}"
        )
    return value


def listen_port(text: str) -> int:
    """A TCP port to listen on, 1..65535, or 0 for any free port."""
    value = _int(text, "un número de puerto")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"se esperaba un puerto entre 1 y 65535 (0: uno libre); se recibió {text!r}"
        )
    return value


def existing_file(text: str) -> Path:
    """A path to a regular file that exists."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} es una carpeta; se esperaba un archivo")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no existe el archivo {text}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} no es un archivo regular")
    return path


def existing_folder(text: str) -> Path:
    """A path to a folder that exists."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no existe la carpeta {text}")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} no es una carpeta")
    return path


def output_folder(text: str) -> Path:
    """A folder to write into: created later when missing, but never an existing file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} ya existe y no es una carpeta")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise argparse.ArgumentTypeError(f"{parent} no es una carpeta")
    return path


def sqlite_file(text: str) -> Path:
    """A SQLite database to open or create: not a folder, and an existing file must be one."""
    path = output_file(text)
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise argparse.ArgumentTypeError(f"{text} existe y no es una base de datos SQLite")
    return path


def output_file(text: str) -> Path:
    """A file to write (created when missing): never an existing folder or other kind."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} es una carpeta; se esperaba un archivo")
    if path.exists() and not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} no es un archivo regular")
    output_folder(str(path.parent))
    return path


def refine(
    parser: argparse.ArgumentParser,
    dest: str,
    *,
    type: Callable[[str], object] | None = None,
    metavar: str | None = None,
    help: str | None = None,
) -> None:
    """Give the argument ``dest`` (defined by a command's own module) a checked ``type``, a
    Spanish placeholder or help; ``KeyError`` when the parser has no such argument."""
    for action in parser._actions:
        if action.dest == dest:
            if type is not None:
                action.type = type
            if metavar is not None:
                action.metavar = metavar
            if help is not None:
                action.help = help
            return
    raise KeyError(dest)


def _int(text: str, name: str = "un número entero") -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"se esperaba {name}; se recibió {text!r}") from None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"se esperaba un número; se recibió {text!r}") from None
