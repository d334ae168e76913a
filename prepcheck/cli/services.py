"""``prepcheck reference serve`` and ``prepcheck demo``: the reference difusor and the demo.

Contract: as :mod:`prepcheck.cli.checklist` (Spanish help; inputs checked at parsing; each
handler returns the exit code).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prepcheck.cli import arguments
from prepcheck.cli.checklist import Commands


def add_commands(commands: Commands) -> None:
    """Add ``reference`` (with ``serve``) and ``demo``."""
    reference = commands.add_parser(
        "reference",
        help="el difusor de referencia incluido",
        description="El difusor de referencia: nginx o Apache en loopback, por HTTPS.",
    )
    sub = reference.add_subparsers(
        dest="reference_command", required=True, metavar="SUBCOMANDO", title="subcomandos"
    )
    serve = sub.add_parser(
        "serve",
        help="sirve un paquete por HTTPS en loopback hasta Ctrl-C",
        description="Publica un paquete y lo sirve por HTTPS en loopback hasta Ctrl-C; imprime "
        "la URL, la CA del simulacro y una configuración lista para usar.",
    )
    serve.add_argument(
        "--server", choices=("nginx", "apache"), default="nginx", help="servidor web"
    )
    serve.add_argument(
        "--port",
        type=arguments.listen_port,
        default=8443,
        metavar="PUERTO",
        help="puerto HTTPS (por omisión: 8443; 0: uno libre)",
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="IP",
        help="dirección IP en la que escucha (p. ej. la de otra interfaz); el certificado es "
        "válido para ella",
    )
    serve.add_argument(
        "--package",
        type=arguments.existing_file,
        metavar="PAQUETE",
        help="paquete a publicar (por omisión: uno de muestra, nuevo)",
    )
    serve.add_argument(
        "--workdir",
        type=arguments.output_folder,
        default=Path(".prepcheck/reference"),
        metavar="CARPETA",
        help="carpeta de trabajo",
    )
    serve.set_defaults(handler=_reference_serve)

    demo = commands.add_parser(
        "demo",
        help="construye un paquete, lo sirve y corre toda la revisión",
        description="Lo que ejecuta `make demo`: difusores de referencia, la revisión completa "
        "y una prueba de carga breve y autorizada.",
    )
    demo.add_argument(
        "--out",
        type=arguments.output_folder,
        default=Path("reports/demo"),
        metavar="CARPETA",
        help="carpeta de los informes",
    )
    demo.add_argument(
        "--server",
        choices=("nginx", "apache", "both"),
        default="both",
        help="servidores de referencia (both: los dos)",
    )
    demo.add_argument(
        "--scale", choices=("small", "full"), default="small", help="tamaño del paquete de muestra"
    )
    demo.set_defaults(handler=_demo)


def _reference_serve(args: argparse.Namespace) -> int:
    from prepcheck.demo.serve import serve_forever

    return serve_forever(
        args.package, args.workdir, server=args.server, port=args.port, host=args.host
    )


def _demo(args: argparse.Namespace) -> int:
    from prepcheck.demo.run import run_demo

    return run_demo(args.out, servers=args.server, scale=args.scale)
