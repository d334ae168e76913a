"""``prepcheck package build|verify`` and ``prepcheck ingest``: packages and their publication.

Contract: as :mod:`prepcheck.cli.checklist` (Spanish help; inputs checked at parsing; each
handler returns the exit code).
"""

from __future__ import annotations

import argparse

from prepcheck.cli import arguments
from prepcheck.cli.checklist import Commands
from prepcheck.errors import UsageError

EXIT_OK = 0
ALGORITHMS = ("sha256", "sha512", "md5")


def add_commands(commands: Commands) -> None:
    """Add ``package`` (with ``build`` and ``verify``) and ``ingest``."""
    package = commands.add_parser(
        "package",
        help="construye o verifica paquetes del PREP",
        description="Construye un paquete de muestra o verifica uno existente.",
    )
    sub = package.add_subparsers(
        dest="package_command", required=True, metavar="SUBCOMANDO", title="subcomandos"
    )
    build = sub.add_parser(
        "build",
        help="escribe un paquete de muestra sintético y determinista",
        description="Escribe un paquete PREP sintético (mismos argumentos, mismos bytes) y su "
        "huella .sha256. Las actas contadas crecen con el tiempo desde la apertura.",
    )
    build.add_argument(
        "--corte",
        required=True,
        metavar="FECHA",
        help='hora local de la elección, "AAAA-MM-DD HH:MM" (p. ej. "2027-06-06 21:15")',
    )
    build.add_argument(
        "--out",
        type=arguments.output_folder,
        required=True,
        metavar="CARPETA",
        help="carpeta donde escribir el paquete",
    )
    build.add_argument(
        "--scale",
        choices=("small", "full"),
        default="small",
        help="small (rápido) o full (todas las casillas)",
    )
    build.add_argument(
        "--format", choices=("zip", "tar.gz"), default="zip", help="formato del archivo"
    )
    build.add_argument(
        "--seed",
        type=arguments.integer,
        default=2021,
        metavar="N",
        help="semilla de los datos sintéticos",
    )
    build.add_argument(
        "--utc-offset",
        metavar="DESFASE",
        help="desfase de la hora local, con «=»: --utc-offset=-06:00 (por omisión, el de la "
        "fecha: -05:00 en los veranos con horario de verano, hasta 2022; -06:00 en otro caso)",
    )
    build.add_argument(
        "--election-start",
        metavar="FECHA",
        help='apertura de la publicación, hora local, p. ej. "2027-06-06 19:00" (por omisión, '
        "las 19:00 más recientes no posteriores al corte)",
    )
    build.set_defaults(handler=_package_build)

    verify = sub.add_parser(
        "verify",
        help="verifica la huella de un paquete y la seguridad del archivo",
        description="Verifica la huella y la seguridad del archivo; imprime corte y archivos.",
    )
    verify.add_argument(
        "package", type=arguments.existing_file, metavar="PAQUETE", help="el paquete .zip o .tar.gz"
    )
    verify.add_argument(
        "--digest",
        type=arguments.existing_file,
        metavar="HUELLA",
        help="archivo de huella (por omisión: PAQUETE.sha256 si existe)",
    )
    verify.add_argument(
        "--algorithm", choices=ALGORITHMS, default="sha256", help="algoritmo de la huella"
    )
    verify.set_defaults(handler=_package_verify)

    ingest = commands.add_parser(
        "ingest",
        help="verifica, desempaca y publica un paquete de forma atómica",
        description="El procedimiento de publicación de referencia: verifica el paquete, lo "
        "desempaca aparte, cambia la publicación de forma atómica y guarda el histórico.",
    )
    ingest.add_argument(
        "package",
        type=arguments.existing_file,
        nargs="?",
        metavar="PAQUETE",
        help="el paquete a publicar (o use --watch)",
    )
    ingest.add_argument(
        "--digest",
        type=arguments.existing_file,
        metavar="HUELLA",
        help="archivo de huella (por omisión: PAQUETE.sha256)",
    )
    ingest.add_argument(
        "--algorithm", choices=ALGORITHMS, default="sha256", help="algoritmo de la huella"
    )
    ingest.add_argument(
        "--root",
        type=arguments.output_folder,
        required=True,
        metavar="CARPETA",
        help="carpeta del sitio donde se publica",
    )
    ingest.add_argument(
        "--history",
        type=arguments.output_folder,
        required=True,
        metavar="CARPETA",
        help="carpeta que guarda todos los paquetes",
    )
    ingest.add_argument(
        "--force", action="store_true", help="acepta un corte anterior al publicado"
    )
    ingest.add_argument(
        "--watch",
        type=arguments.existing_folder,
        metavar="CARPETA_DE_CARGA",
        help="publica cada carga completa que llegue a esta carpeta",
    )
    ingest.add_argument(
        "--quarantine",
        type=arguments.output_folder,
        metavar="CARPETA",
        help="a dónde van las cargas rechazadas (con --watch)",
    )
    ingest.add_argument(
        "--poll",
        type=arguments.positive_float,
        default=2.0,
        metavar="SEGUNDOS",
        help="segundos entre revisiones de la carpeta de carga",
    )
    ingest.add_argument(
        "--max-iterations", type=arguments.positive_int, default=None, help=argparse.SUPPRESS
    )
    ingest.set_defaults(handler=_ingest)


def _package_build(args: argparse.Namespace) -> int:
    from prepcheck.sample.build_cli import run_build

    return run_build(args)


def _package_verify(args: argparse.Namespace) -> int:
    from prepcheck.archive.verify import verify_package

    print(verify_package(args.package, digest_file=args.digest, algorithm=args.algorithm))
    return EXIT_OK


def _ingest(args: argparse.Namespace) -> int:
    from prepcheck.ingest.cli import run_ingest

    if args.watch is None and args.package is None:
        raise UsageError("indique el PAQUETE a publicar, o --watch CARPETA_DE_CARGA")
    if args.watch is not None and args.quarantine is None:
        raise UsageError("--watch necesita --quarantine CARPETA para las cargas rechazadas")
    return run_ingest(args)
