"""The ``prepcheck`` command line, in Spanish: ``entry`` (parser and ``main``), ``spanish``
(argparse's words), ``arguments`` (argument types) and one module per command group."""

from prepcheck.cli.entry import build_parser, main

__all__ = ["build_parser", "main"]
