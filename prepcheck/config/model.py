"""The top-level models of the configuration file: :class:`Config`, :class:`Election`,
:class:`Difusor`; the per-area settings they hold live in :mod:`prepcheck.config.settings`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated
from urllib.parse import urljoin

from pydantic import Field, field_validator, model_validator

from prepcheck.config.base import Strict, http_url
from prepcheck.config.settings.election import MonitorSettings, PackageSource
from prepcheck.config.settings.host import HostSettings
from prepcheck.config.settings.load import LoadSettings
from prepcheck.config.settings.render import (
    RenderSettings,
)
from prepcheck.config.settings.sftp import SftpSettings
from prepcheck.config.settings.transport import TransportSettings
from prepcheck.errors import ConfigError

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
