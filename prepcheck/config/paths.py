"""Path values of the configuration: resolved against the file's folder, checked by kind.

Contract: a path is written as a TOML string; ``~`` expands; a relative path resolves against
the ``base`` folder in the validation context (the configuration file's folder; the working
folder when there is none). :data:`File` must be a readable regular file, :data:`Folder` a
readable folder, :data:`CaFile` a readable file holding at least one PEM certificate;
:data:`AnyPath` is only converted (for paths a command creates, resolved by their model). A value
that fails raises :class:`~prepcheck.config.base.Problem` in Spanish, naming the path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from cryptography import x509
from pydantic import AfterValidator, BeforeValidator, ValidationInfo

from prepcheck.config.base import Problem, shown

MAX_CA_BYTES = 10 * 1024 * 1024


def _as_path(value: object) -> object:
    if isinstance(value, str):
        if not value.strip():
            raise Problem("se esperaba una ruta; se encontró un texto vacío")
        return Path(value)
    if isinstance(value, Path):
        return value
    raise Problem(f"se esperaba una ruta entre comillas; se encontró {shown(value)}")


def _resolved(value: Path, info: ValidationInfo) -> Path:
    value = value.expanduser()
    if value.is_absolute():
        return value
    context = info.context if isinstance(info.context, dict) else {}
    base = context.get("base")
    return (base if isinstance(base, Path) else Path.cwd()) / value


def _file(value: Path, info: ValidationInfo) -> Path:
    path = _resolved(value, info)
    if not path.exists():
        raise Problem(f"no existe el archivo {path}")
    if path.is_dir():
        raise Problem(f"{path} es una carpeta; se esperaba un archivo")
    if not path.is_file():
        raise Problem(f"{path} no es un archivo regular")
    if not os.access(path, os.R_OK):
        raise Problem(f"no se puede leer {path} (permiso denegado)")
    return path


def _folder(value: Path, info: ValidationInfo) -> Path:
    path = _resolved(value, info)
    if not path.exists():
        raise Problem(f"no existe la carpeta {path}")
    if not path.is_dir():
        raise Problem(f"{path} es un archivo; se esperaba una carpeta")
    if not os.access(path, os.R_OK | os.X_OK):
        raise Problem(f"no se puede leer la carpeta {path} (permiso denegado)")
    return path


def _ca_file(value: Path, info: ValidationInfo) -> Path:
    path = _file(value, info)
    if path.stat().st_size > MAX_CA_BYTES:
        raise Problem(f"{path} es demasiado grande para ser un certificado")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Problem(f"no se puede leer {path}: {exc.strerror}") from None
    if not data.strip():
        raise Problem(f"{path} está vacío; se esperaba uno o más certificados PEM de la CA")
    try:
        x509.load_pem_x509_certificates(data)
    except ValueError:
        raise Problem(
            f"{path} no contiene certificados PEM válidos"
            " (se esperaba «-----BEGIN CERTIFICATE-----»)"
        ) from None
    return path


#: A path written as a string, resolved by the model that holds it (kind not checked).
AnyPath = Annotated[Path, BeforeValidator(_as_path)]
File = Annotated[Path, BeforeValidator(_as_path), AfterValidator(_file)]
Folder = Annotated[Path, BeforeValidator(_as_path), AfterValidator(_folder)]
CaFile = Annotated[Path, BeforeValidator(_as_path), AfterValidator(_ca_file)]
