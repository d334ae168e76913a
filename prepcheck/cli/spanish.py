"""argparse in Spanish: its own words (usage, headings, errors) through its ``_()`` hook.

argparse looks every word it prints up through the module-level ``_``/``ngettext`` it
imported from :mod:`gettext`. :class:`SpanishArgumentParser` points those two names at
:data:`CATALOGUE` (keyed by argparse's exact English msgids, as a gettext catalogue would be)
only while one of its own methods runs, then restores them, so no other user of argparse in
the process is affected.

Contract: every user-facing msgid of the running Python's argparse has a Spanish entry
(a test checks it); a msgid missing here falls back to English rather than failing.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

CATALOGUE: dict[str, str] = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos posicionales",
    "options": "opciones",
    "optional arguments": "opciones",
    "subcommands": "subcomandos",
    "show this help message and exit": "muestra esta ayuda y termina",
    "show program's version number and exit": "muestra la versión del programa y termina",
    "%(heading)s:": "%(heading)s:",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: aviso: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "the following arguments are required: %s": "faltan los argumentos obligatorios: %s",
    "one of the arguments %s is required": "se requiere uno de los argumentos %s",
    "not allowed with argument %s": "no se permite junto con el argumento %s",
    "ignored explicit argument %r": "argumento explícito ignorado: %r",
    "expected one argument": "se esperaba un valor",
    "expected at most one argument": "se esperaba como máximo un valor",
    "expected at least one argument": "se esperaba al menos un valor",
    "expected %s argument": "se esperaba %s valor",
    "expected %s arguments": "se esperaban %s valores",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opción ambigua: %(option)s puede ser %(matches)s"
    ),
    "unexpected option string: %s": "opción inesperada: %s",
    "invalid %(type)s value: %(value)r": "valor no válido (%(type)s): %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "valor no válido: %(value)r (elija entre %(choices)s)"
    ),
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": (
        "valor no válido: %(value)r; ¿quiso decir %(closest)r? (elija entre %(choices)s)"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "subcomando desconocido %(parser_name)r (opciones: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "no se puede abrir '%(filename)s': %(error)s",
    'argument "-" with mode %r': 'argumento "-" con modo %r',
    "option '%(option)s' is deprecated": "la opción '%(option)s' es obsoleta",
    "argument '%(argument_name)s' is deprecated": "el argumento '%(argument_name)s' es obsoleto",
    "command '%(parser_name)s' is deprecated": "el subcomando '%(parser_name)s' es obsoleto",
    # Mistakes in building a parser (a bug of prepcheck, never of its user).
    "%r is not callable": "%r no es invocable",
    "'required' is an invalid argument for positionals": (
        "'required' no es válido para argumentos posicionales"
    ),
    ".__call__() not defined": ".__call__() no está definido",
    "cannot have multiple subparser arguments": "no puede haber varios grupos de subcomandos",
    "cannot merge actions - two groups are named %r": (
        "no se pueden combinar acciones: dos grupos se llaman %r"
    ),
    "conflicting option string: %s": "opción en conflicto: %s",
    "conflicting option strings: %s": "opciones en conflicto: %s",
    "conflicting subparser alias: %s": "alias de subcomando en conflicto: %s",
    "conflicting subparser: %s": "subcomando en conflicto: %s",
    "dest= is required for options like %r": "dest= es obligatorio para opciones como %r",
    "invalid conflict_resolution value: %r": "valor de conflict_resolution no válido: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "opción no válida %(option)r: debe empezar con un carácter de %(prefix_chars)r"
    ),
    "mutually exclusive arguments must be optional": (
        "los argumentos mutuamente excluyentes deben ser opcionales"
    ),
}

_Result = TypeVar("_Result")


def gettext_es(message: str) -> str:
    """argparse's ``_``: the Spanish of ``message``, or ``message`` when unknown."""
    return CATALOGUE.get(message, message)


def ngettext_es(singular: str, plural: str, count: int) -> str:
    """argparse's ``ngettext``, with the catalogue above."""
    return gettext_es(singular if count == 1 else plural)


@contextmanager
def spanish() -> Iterator[None]:
    """argparse speaks Spanish inside this block (re-entrant; restores what it found)."""
    saved = getattr(argparse, "_"), getattr(argparse, "ngettext")  # noqa: B009
    setattr(argparse, "_", gettext_es)  # noqa: B010
    setattr(argparse, "ngettext", ngettext_es)  # noqa: B010
    try:
        yield
    finally:
        setattr(argparse, "_", saved[0])  # noqa: B010
        setattr(argparse, "ngettext", saved[1])  # noqa: B010


def _in_spanish(method: Callable[..., _Result]) -> Callable[..., _Result]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> _Result:
        with spanish():
            return method(*args, **kwargs)

    return wrapper


class SpanishArgumentParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help, usage and errors are in Spanish (sub-parsers too:
    ``add_subparsers`` builds them with this class)."""

    __init__ = _in_spanish(argparse.ArgumentParser.__init__)
    add_subparsers = _in_spanish(argparse.ArgumentParser.add_subparsers)
    parse_args = _in_spanish(argparse.ArgumentParser.parse_args)  # type: ignore[assignment]
    parse_known_args = _in_spanish(argparse.ArgumentParser.parse_known_args)  # type: ignore[assignment]
    format_usage = _in_spanish(argparse.ArgumentParser.format_usage)
    format_help = _in_spanish(argparse.ArgumentParser.format_help)
    error = _in_spanish(argparse.ArgumentParser.error)
