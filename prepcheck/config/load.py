"""Reading the configuration file: TOML, validation, relative paths, files that must exist.

Contract: :func:`load_config` returns a validated :class:`Config` or raises ``ConfigError``
naming the file, the key and what was expected.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from prepcheck.config.model import Config, Difusor
from prepcheck.errors import ConfigError


def load_config(path: Path) -> Config:
    """Read and validate ``path``; relative paths inside resolve against the file's folder.

    Raises ``ConfigError`` naming the file, the key and what was expected.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(raw, source=path)


def parse_config(raw: dict[str, Any], *, source: Path) -> Config:
    """Validate an already-parsed TOML mapping; see ``load_config``."""
    try:
        config = Config.model_validate(raw, context={"base": source.parent})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    config = _resolve_paths(config, source.parent.resolve())
    _check_files_exist(config, source)
    return config


def _describe(exc: ValidationError, source: Path) -> str:
    lines = [f"{source}: invalid configuration"]
    for problem in exc.errors():
        key = ".".join(str(part) for part in problem["loc"])
        if problem["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown key (not allowed here)")
        elif problem["type"] == "missing":
            lines.append(f"  {key}: required key is missing")
        else:
            lines.append(f"  {key or '(top level)'}: {problem['msg']}")
    return "\n".join(lines)


def _resolve(base: Path, value: Path | None) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    return value if value.is_absolute() else base / value


def _resolve_paths(config: Config, base: Path) -> Config:
    election = config.election
    package = election.package
    if package is not None:
        package = package.model_copy(
            update={
                "path": _resolve(base, package.path),
                "digest_file": _resolve(base, package.digest_file),
            }
        )
    election = election.model_copy(
        update={
            "package": package,
            "official_packages_dir": _resolve(base, election.official_packages_dir),
        }
    )
    difusores = [_resolve_difusor(d, base) for d in config.difusor]
    return config.model_copy(update={"election": election, "difusor": difusores})


def _resolve_difusor(difusor: Difusor, base: Path) -> Difusor:
    sftp = difusor.sftp
    if sftp is not None:
        sftp = sftp.model_copy(
            update={
                "key_file": _resolve(base, sftp.key_file),
                "known_hosts": _resolve(base, sftp.known_hosts),
            }
        )
    return difusor.model_copy(update={"ca_file": _resolve(base, difusor.ca_file), "sftp": sftp})


def _check_files_exist(config: Config, source: Path) -> None:
    package = config.election.package
    files: list[tuple[str, Path | None]] = []
    if package is not None:
        files += [
            ("election.package.path", package.path),
            ("election.package.digest_file", package.digest_file),
        ]
    files.append(("election.official_packages_dir", config.election.official_packages_dir))
    for index, difusor in enumerate(config.difusor):
        files.append((f"difusor.{index}.ca_file", difusor.ca_file))
        if difusor.sftp is not None:
            files.append((f"difusor.{index}.sftp.key_file", difusor.sftp.key_file))
    for key, path in files:
        if path is not None and not path.exists():
            raise ConfigError(f"{source}: invalid configuration\n  {key}: file not found: {path}")
