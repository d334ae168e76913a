"""Configuration: one TOML file describes one election and its difusores.

Validation is strict (unknown keys are rejected) and every error names the file, the key and
what was expected. Secrets never live in the file: SFTP passwords and key passphrases are
named by environment variable and read only when needed.
"""

from __future__ import annotations

import os
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urljoin, urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from prepcheck.errors import ConfigError

DigestAlgorithm = Literal["sha256", "sha512", "md5"]
_NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str, *, key: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL with a host, got {value!r}")
    return value


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


class PackageSource(_Strict):
    """Where the official package is and how to verify it (exactly one of path/url)."""

    path: Path | None = None
    url: str | None = None
    digest: str | None = Field(default=None, description="hex digest of the archive")
    digest_file: Path | None = Field(default=None, description="sha256sum-format sidecar")
    algorithm: DigestAlgorithm = "sha256"

    @model_validator(mode="after")
    def _one_source(self) -> PackageSource:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of 'path' or 'url'")
        if self.url is not None:
            _http_url(self.url, key="url")
        if self.digest is not None:
            int(self.digest, 16)  # hex only; ValueError names the value
        return self


class MonitorSettings(_Strict):
    """``prepcheck monitor``: the availability target and how often to probe by default."""

    availability_percent: Annotated[float, Field(gt=0, le=100)] = 99.9
    every_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    min_periods: Annotated[int, Field(ge=1, le=1000)] = 2


class Election(_Strict):
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


class SftpSettings(_Strict):
    """An SFTP endpoint; the password/passphrase is read from the named environment variable.

    ``rehearsal_uploads`` authorizes the ``ingest.*`` checks, which upload rehearsal packages
    that the difusor's procedure publishes (what its site serves changes until the next
    official corte); without it only ``sftp.*`` run.
    """

    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 22
    username: str
    password_env: str | None = None
    key_file: Path | None = None
    key_passphrase_env: str | None = None
    known_hosts: Path | None = None
    upload_dir: str = "upload"
    publish_deadline_seconds: Annotated[int, Field(gt=0, le=3600)] = 120
    throughput_bytes: Annotated[int, Field(gt=0)] = 64 * 1024 * 1024
    rehearsal_uploads: bool = False

    @model_validator(mode="after")
    def _some_credential(self) -> SftpSettings:
        if self.password_env is None and self.key_file is None:
            raise ValueError("give 'password_env' or 'key_file'")
        return self

    def password(self) -> SecretStr | None:
        """The password from the environment, wrapped so it never prints."""
        return _secret_from_env(self.password_env)

    def key_passphrase(self) -> SecretStr | None:
        return _secret_from_env(self.key_passphrase_env)


def _secret_from_env(name: str | None) -> SecretStr | None:
    if name is None:
        return None
    value = os.environ.get(name)
    if value is None:
        raise ConfigError(f"environment variable {name} is not set (needed for SFTP)")
    return SecretStr(value)


class CitizenWeights(_Strict):
    """Relative weights of the citizen's tasks (``load/citizen.py``); at least one above 0."""

    inicio: Annotated[int, Field(ge=0)] = 2
    distrito: Annotated[int, Field(ge=0)] = 4
    municipio: Annotated[int, Field(ge=0)] = 4
    seccion: Annotated[int, Field(ge=0)] = 2
    csv: Annotated[int, Field(ge=0)] = 1

    @model_validator(mode="after")
    def _some_task(self) -> CitizenWeights:
        if not any(self.model_dump().values()):
            raise ValueError("at least one task weight must be above 0")
        return self


class LoadSettings(_Strict):
    """Load-test target; nothing is sent unless ``authorized`` is true."""

    authorized: bool = False
    users: Annotated[int, Field(gt=0)] = 50
    rate: Annotated[float, Field(gt=0)] = 100.0
    duration_seconds: Annotated[int, Field(gt=0)] = 60
    max_users: Annotated[int, Field(gt=0)] = 2000
    max_rate: Annotated[float, Field(gt=0)] = 5000.0
    max_duration_seconds: Annotated[int, Field(gt=0)] = 1800
    p95_ms: Annotated[float, Field(gt=0)] = 1000.0
    p99_ms: Annotated[float, Field(gt=0)] = 3000.0
    max_error_rate: Annotated[float, Field(ge=0, le=1)] = 0.01
    min_rate_ratio: Annotated[float, Field(ge=0, le=1)] = 0.9
    refresh_seconds: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="main.json polling interval; default: its refrescoSegundos"
    )
    spike_base_users: Annotated[int, Field(ge=0)] = 0
    spike_ramp_seconds: Annotated[int, Field(gt=0)] = 5
    spike_drop_seconds: Annotated[int, Field(ge=0)] = 5
    weights: CitizenWeights = Field(default_factory=lambda: CitizenWeights())
    bandwidth_mbps: Annotated[float, Field(gt=0)] = 20.0
    bandwidth_seconds: Annotated[int, Field(gt=0, le=300)] = 10
    bandwidth_streams: Annotated[int, Field(gt=0, le=32)] = 4


#: Default figure selectors for the reference site; ``{eleccion}`` / ``{partido}`` are filled in.
DEFAULT_FIGURE_SELECTORS: dict[str, str] = {
    "eleccion": 'section[data-testid="eleccion-{eleccion}"]',
    "actas_capturadas": '[data-testid="actas-capturadas"]',
    "actas_esperadas": '[data-testid="actas-esperadas"]',
    "porcentaje_actas_capturadas": '[data-testid="porcentaje-actas-capturadas"]',
    "participacion": '[data-testid="participacion"]',
    "votos_partido": 'tr[data-testid="votos-{partido}"] td.votos',
    "porcentaje_partido": 'tr[data-testid="votos-{partido}"] td.porcentaje',
}
DEFAULT_RENDER_PAGES = (
    "#/",
    "#/diputaciones",
    "#/ayuntamientos",
    "#/diputaciones/distrito/01",
    "#/ayuntamientos/municipio/001",
)


class RenderSettings(_Strict):
    """What the render.* checks look at and how strictly (defaults fit the reference site).

    ``pages`` are relative to the election folder (``#/ruta`` or ``pagina.html#/ruta``);
    ``viewports`` maps a name to ``[width, height]``; ``masks`` are CSS selectors painted over
    in both renderings; a page passes when its mismatch is within ``max_diff_pixels`` and
    ``max_diff_ratio`` (both unset: no mismatched pixel at all). ``figures`` overrides the
    selectors of ``DEFAULT_FIGURE_SELECTORS`` (same keys).
    """

    pages: list[str] = Field(default_factory=lambda: list(DEFAULT_RENDER_PAGES), min_length=1)
    embed_pages: list[str] = Field(default_factory=lambda: ["#/"], min_length=1)
    viewports: dict[str, tuple[int, int]] = Field(
        default_factory=lambda: {"desktop": (1366, 768), "mobile": (390, 844)}, min_length=1
    )
    masks: list[str] = Field(default_factory=list)
    mask_color: Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")] = "#FF00FF"
    threshold: Annotated[float, Field(ge=0, le=1)] = 0.1
    include_aa: bool = False
    max_diff_pixels: Annotated[int, Field(ge=0)] | None = 0
    max_diff_ratio: Annotated[float, Field(ge=0, le=1)] | None = None
    full_page: bool = True
    ready_selector: str = 'main#contenido[data-estado="listo"]'
    corte_selector: str = "#corte"
    iframe_selector: str = "iframe"
    figures: dict[str, str] = Field(default_factory=dict)
    page_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 20.0
    max_shots: Annotated[int, Field(ge=2, le=20)] = 5

    @field_validator("pages", "embed_pages")
    @classmethod
    def _relative(cls, values: list[str]) -> list[str]:
        for value in values:
            if urlsplit(value).scheme or value.startswith("/"):
                raise ValueError(f"pages are relative to the election folder, got {value!r}")
        return values

    @field_validator("viewports")
    @classmethod
    def _sizes(cls, values: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        for name, (width, height) in values.items():
            if not (100 <= width <= 4000 and 100 <= height <= 4000):
                raise ValueError(f"viewport {name!r}: width and height within [100, 4000]")
        return values

    @field_validator("figures")
    @classmethod
    def _figure_keys(cls, values: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(values) - set(DEFAULT_FIGURE_SELECTORS))
        if unknown:
            known = ", ".join(DEFAULT_FIGURE_SELECTORS)
            raise ValueError(f"unknown figure keys {', '.join(unknown)} (known: {known})")
        return values

    def figure_selectors(self) -> dict[str, str]:
        """The defaults overridden by ``figures``."""
        return {**DEFAULT_FIGURE_SELECTORS, **self.figures}


class TransportSettings(_Strict):
    """TLS and HTTP-header checks: scan bounds, the Mozilla guideline, cache probing."""

    tls_scan_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 60.0
    tls_network_timeout_seconds: Annotated[int, Field(gt=0, le=60)] = 5
    mozilla_guideline: Literal["6.0", "5.7"] = "6.0"
    cache_probe_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0
    declared_server_software: str | None = Field(
        default=None, description="web server the difusor names when its Server header hides it"
    )


class HostSettings(_Strict):
    """The self-test on the difusor's host (``host.*``) and the memoria's log statistics.

    ``min_free_gb`` is in decimal GB (10^9 bytes) per filesystem holding the site or the
    history; ``access_log_max_age_minutes`` bounds how old the newest log line may be;
    ``visit_timeout_minutes`` splits visits; ``top_pages`` is the memoria's ranking length.
    """

    min_free_gb: Annotated[float, Field(ge=0)] = 20.0
    access_log_max_age_minutes: Annotated[int, Field(gt=0, le=100_000)] = 60
    max_problems: Annotated[int, Field(gt=0, le=1000)] = 20
    visit_timeout_minutes: Annotated[int, Field(gt=0, le=1440)] = 30
    top_pages: Annotated[int, Field(gt=0, le=1000)] = 20


class Difusor(_Strict):
    """One difusor: where it publishes and what may be tested on it."""

    name: Annotated[str, Field(pattern=_NAME_PATTERN)]
    display_name: str | None = None
    base_url: str
    main_json: str = "json/main.json"
    embed_url: str | None = None
    http_url: str | None = None
    ca_file: Path | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    sftp: SftpSettings | None = None
    load: LoadSettings | None = None
    transport: TransportSettings = Field(default_factory=lambda: TransportSettings())
    render: RenderSettings = Field(default_factory=lambda: RenderSettings())
    host: HostSettings = Field(default_factory=lambda: HostSettings())

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        _http_url(value, key="base_url")
        return value if value.endswith("/") else value + "/"

    @field_validator("embed_url")
    @classmethod
    def _embed(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value, key="embed_url")

    @field_validator("http_url")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        return None if value is None else _http_url(value, key="http_url")

    def folder_url(self, folder: str) -> str:
        """URL of the election folder (``base_url`` + folder + ``/``)."""
        return urljoin(self.base_url, folder + "/")

    def main_json_url(self, folder: str) -> str:
        """``main_json`` resolved against the election folder (absolute URLs kept)."""
        return urljoin(self.folder_url(folder), self.main_json)

    @property
    def label(self) -> str:
        return self.display_name or self.name


class Config(_Strict):
    """The whole file: ``[election]`` and one ``[[difusor]]`` table per difusor."""

    election: Election
    difusor: list[Difusor] = Field(min_length=1)

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
