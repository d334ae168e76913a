"""Reading the configuration file: bytes, UTF-8, TOML, validation, what the command needs.

Contract: :func:`load_config` returns a validated :class:`~prepcheck.config.Config` (paths
resolved against the file's folder and checked by kind) or raises ``ConfigError`` with a
Spanish message naming the file and, for each problem (all of them at once), the line, the
difusor by name and the key, what was expected and what was found. A missing file, a folder,
a file that is not UTF-8, empty or not TOML are errors of the same kind, never a traceback.
``needs`` says what the calling command will use beyond the file (see
:class:`~prepcheck.config.needs.Needs`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from prepcheck.config.explain import explain
from prepcheck.config.issues import report
from prepcheck.config.model import Config
from prepcheck.config.needs import Needs, unmet
from prepcheck.config.toml_errors import toml_error
from prepcheck.errors import ConfigError

MAX_BYTES = 10 * 1024 * 1024


def load_config(path: Path, *, needs: Needs | None = None) -> Config:
    """Read, parse and validate ``path`` (see the module contract)."""
    text = read_text(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: no es TOML válido: {toml_error(exc)}") from None
    except RecursionError:
        raise ConfigError(f"{path}: anida demasiados niveles; no es una configuración") from None
    if not raw:
        raise ConfigError(
            f"{path}: el archivo está vacío; se esperaba una sección [election] y al menos"
            " una [[difusor]] (vea examples/prepcheck.toml)"
        )
    return parse_config(raw, source=path, text=text, needs=needs)


def parse_config(
    raw: dict[str, Any], *, source: Path, text: str = "", needs: Needs | None = None
) -> Config:
    """Validate an already-parsed TOML mapping; ``text`` (the file's) locates the lines."""
    try:
        config = Config.model_validate(raw, context={"base": source.parent.resolve()})
    except ValidationError as exc:
        issues = [explain(error, Config) for error in exc.errors()]
        raise ConfigError(report(source, issues, raw, text)) from None
    config._source = source
    needs = needs or Needs()
    missing = unmet(config, needs)
    if missing:
        raise ConfigError(report(source, missing, raw, text))
    for name in needs.difusores:
        config.find(name)
    return config


def read_text(path: Path) -> str:
    """The text of a configuration file (UTF-8, an optional BOM dropped); ``ConfigError``
    saying in Spanish why it cannot be read."""
    try:
        if path.is_dir():
            raise ConfigError(f"{path}: es una carpeta; se esperaba el archivo de configuración")
        if not path.exists():
            raise ConfigError(f"{path}: no existe el archivo de configuración")
        if not path.is_file():
            raise ConfigError(f"{path}: no es un archivo regular")
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"{path}: demasiado grande para ser una configuración")
        data = path.read_bytes()
    except PermissionError:
        raise ConfigError(f"{path}: no se puede leer (permiso denegado)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: no se puede leer ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}: línea {line}: el archivo no está en UTF-8 (byte 0x{data[exc.start]:02x});"
            " guárdelo con codificación UTF-8"
        ) from None
