"""Configuration: one TOML file describes one election and its difusores.

Validation is strict (unknown keys are rejected) and every error names the file, the key and
what was expected. Secrets never live in the file: SFTP passwords and key passphrases are
named by environment variable and read only when needed.

The per-area settings models live in :mod:`prepcheck.settings` (one module per area) and are
re-exported here; this module keeps the top-level models (:class:`Config`, :class:`Election`,
:class:`Difusor`) and loading (:func:`load_config`, :func:`parse_config`).
"""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urljoin

from pydantic import Field, ValidationError, field_validator, model_validator

from prepcheck.campaign.settings import CampaignSettings
from prepcheck.errors import ConfigError
from prepcheck.settings.base import Strict, http_url
from prepcheck.settings.election import DigestAlgorithm, MonitorSettings, PackageSource
from prepcheck.settings.host import HostSettings
from prepcheck.settings.load import CitizenWeights, LoadSettings
from prepcheck.settings.render import DEFAULT_FIGURE_SELECTORS, DEFAULT_RENDER_PAGES, RenderSettings
from prepcheck.settings.sftp import SftpSettings
from prepcheck.settings.transport import TransportSettings

__all__ = [
    "DEFAULT_FIGURE_SELECTORS",
    "DEFAULT_RENDER_PAGES",
    "CitizenWeights",
    "Config",
    "Difusor",
    "DigestAlgorithm",
    "Election",
    "HostSettings",
    "LoadSettings",
    "MonitorSettings",
    "PackageSource",
    "RenderSettings",
    "SftpSettings",
    "TransportSettings",
    "load_config",
    "parse_config",
    "parse_utc_offset",
]

_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def parse_utc_offset(value: str) -> timezone:
    """Parse ``-05:00`` / ``-0500`` / ``UTC-5`` into a fixed-offset timezone."""
    text = value.strip().upper().removeprefix("UTC")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace(":", "")
    if not digits.isdigit() or len(digits) not in (1, 2, 4):
        raise ValueError(f"expected a UTC offset like '-05:00', got {value!r}")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:2]), int(digits[2:]))
    if hours > 14 or minutes >= 60:
        raise ValueError(f"UTC offset out of range: {value!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


class Election(Strict):
    """The election being published and its publication rules."""

    name: str
    folder: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")] = "prepver2021"
    utc_offset: str = "-05:00"
    window_start: datetime
    window_end: datetime
    update_interval_minutes: Annotated[int, Field(gt=0, le=1440)] = 15
    missed_period_limit: Annotated[int, Field(gt=0, le=100)] = 3
    certificate_margin_days: Annotated[int, Field(ge=0, le=365)] = 7
    package: PackageSource | None = None
    official_packages_dir: Path | None = Field(
        default=None, description="folder of official packages; the newest is the latest corte"
    )
    official_main_json_url: str | None = None
    monitor: MonitorSettings = Field(default_factory=lambda: MonitorSettings())

    @field_validator("utc_offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        parse_utc_offset(value)
        return value

    @property
    def tz(self) -> timezone:
        return parse_utc_offset(self.utc_offset)

    @property
    def update_interval(self) -> timedelta:
        return timedelta(minutes=self.update_interval_minutes)

    def localize(self, moment: datetime) -> datetime:
        """Naive datetimes in the file are local (election) time."""
        return moment if moment.tzinfo else moment.replace(tzinfo=self.tz)

    @model_validator(mode="after")
    def _window_order(self) -> Election:
        if self.localize(self.window_end) <= self.localize(self.window_start):
            raise ValueError("window_end must be after window_start")
        return self


class Difusor(Strict):
    """One difusor: where it publishes and what may be tested on it."""

    name: Annotated[str, Field(pattern=_NAME_PATTERN)]
    display_name: str | None = None
    base_url: str
    main_json: str = "json/main.json"
    embed_url: str | None = None
    http_url: str | None = None
    ca_file: Path | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    #: Hard bound on this difusor's whole checklist (without load): 240 s covers a sound
    #: full-scale difusor several times over on a busy machine, and caps a hostile one.
    budget_seconds: Annotated[float, Field(gt=0, le=3600)] = 240.0
    #: The page citizens are sent to (default: the election folder's entry page).
    entry_url: str | None = None
    sftp: SftpSettings | None = None
    load: LoadSettings | None = None
    transport: TransportSettings = Field(default_factory=lambda: TransportSettings())
    render: RenderSettings = Field(default_factory=lambda: RenderSettings())
    host: HostSettings = Field(default_factory=lambda: HostSettings())

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        http_url(value, key="base_url")
        return value if value.endswith("/") else value + "/"

    @field_validator("embed_url")
    @classmethod
    def _embed(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value, key="embed_url")

    @field_validator("http_url")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value, key="http_url")

    def folder_url(self, folder: str) -> str:
        """URL of the election folder (``base_url`` + folder + ``/``)."""
        return urljoin(self.base_url, folder + "/")

    def main_json_url(self, folder: str) -> str:
        """``main_json`` resolved against the election folder (absolute URLs kept)."""
        return urljoin(self.folder_url(folder), self.main_json)

    @property
    def label(self) -> str:
        return self.display_name or self.name


class Config(Strict):
    """The whole file: ``[election]`` and one ``[[difusor]]`` table per difusor."""

    election: Election
    difusor: list[Difusor] = Field(min_length=1)
    campaign: CampaignSettings | None = None

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        names = [d.name for d in self.difusor]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"difusor names must be unique; repeated: {', '.join(duplicated)}")
        return self

    def find(self, name: str) -> Difusor:
        for difusor in self.difusor:
            if difusor.name == name:
                return difusor
        known = ", ".join(d.name for d in self.difusor)
        raise ConfigError(f"no difusor named {name!r} (known: {known})")


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
