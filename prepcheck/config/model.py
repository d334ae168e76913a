"""The top-level models of the configuration file: :class:`Config`, :class:`Election`,
:class:`Difusor`; the per-area settings they hold live in :mod:`prepcheck.config.settings`.

Contract: strict like every model here (:class:`~prepcheck.config.base.Strict`); paths are
checked by kind and URLs by shape at validation time; :meth:`Config.find` raises
``ConfigError`` naming the closest configured difusor.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Annotated
from urllib.parse import urljoin

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from prepcheck.config.base import Problem, Strict, shown
from prepcheck.config.paths import CaFile, Folder
from prepcheck.config.settings.campaign import CampaignSettings
from prepcheck.config.settings.election import MonitorSettings, PackageSource
from prepcheck.config.settings.host import HostSettings
from prepcheck.config.settings.load import LoadSettings
from prepcheck.config.settings.render import RenderSettings
from prepcheck.config.settings.sftp import SftpSettings
from prepcheck.config.settings.transport import TransportSettings
from prepcheck.config.urls import HttpUrl, UrlReference
from prepcheck.errors import ConfigError

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_FOLDER = re.compile(r"^[A-Za-z0-9_-]+$")


def parse_utc_offset(value: str) -> timezone:
    """Parse ``-05:00`` / ``-0500`` / ``UTC-5`` into a fixed-offset timezone.

    Raises ``ValueError`` (Spanish message) for anything else or beyond ±14:59.
    """
    text = value.strip().upper().removeprefix("UTC")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace(":", "")
    if not digits.isdigit() or len(digits) not in (1, 2, 4):
        raise ValueError(f'se esperaba un desfase UTC como "-06:00"; se encontró {shown(value)}')
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:2]), int(digits[2:]))
    if hours > 14 or minutes >= 60:
        raise ValueError(f"desfase UTC fuera de rango (máximo ±14:59): {shown(value)}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


class Election(Strict):
    """The election being published and its publication rules."""

    name: str
    folder: str = "prepver2021"
    utc_offset: str = "-05:00"
    window_start: datetime
    window_end: datetime
    update_interval_minutes: Annotated[int, Field(gt=0, le=1440)] = 15
    missed_period_limit: Annotated[int, Field(gt=0, le=100)] = 3
    certificate_margin_days: Annotated[int, Field(ge=0, le=365)] = 7
    package: PackageSource | None = None
    official_packages_dir: Folder | None = Field(
        default=None, description="folder of official packages; the newest is the latest corte"
    )
    official_main_json_url: HttpUrl | None = None
    monitor: MonitorSettings = Field(default_factory=lambda: MonitorSettings())

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str) -> str:
        if not _FOLDER.match(value):
            raise Problem(
                "se esperaba el nombre de una carpeta (letras, dígitos, - y _; sin /);"
                f" se encontró {shown(value)}"
            )
        return value

    @field_validator("utc_offset")
    @classmethod
    def _offset(cls, value: str) -> str:
        try:
            parse_utc_offset(value)
        except ValueError as exc:
            raise Problem(str(exc)) from None
        return value

    @field_validator("window_end")
    @classmethod
    def _window_order(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("window_start")
        offset = info.data.get("utc_offset")
        if start is None or offset is None:
            return value
        tz = parse_utc_offset(offset)
        if _aware(value, tz) <= _aware(start, tz):
            raise Problem(
                f"window_end debe ser posterior a window_start ({shown(start)});"
                f" se encontró {shown(value)}"
            )
        return value

    @property
    def tz(self) -> timezone:
        return parse_utc_offset(self.utc_offset)

    @property
    def update_interval(self) -> timedelta:
        return timedelta(minutes=self.update_interval_minutes)

    def localize(self, moment: datetime) -> datetime:
        """Naive datetimes in the file are local (election) time."""
        return _aware(moment, self.tz)


def _aware(moment: datetime, tz: timezone) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


class Difusor(Strict):
    """One difusor: where it publishes and what may be tested on it.

    ``entry_url`` is the page citizens are sent to (default: the election folder's index);
    ``budget_seconds`` bounds this difusor's whole checklist run, load tests excluded.
    """

    name: str
    display_name: str | None = None
    base_url: HttpUrl
    main_json: UrlReference = "json/main.json"
    entry_url: HttpUrl | None = None
    embed_url: HttpUrl | None = None
    http_url: HttpUrl | None = None
    ca_file: CaFile | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    budget_seconds: Annotated[float, Field(gt=0, le=3600)] = 240.0
    sftp: SftpSettings | None = None
    load: LoadSettings | None = None
    transport: TransportSettings = Field(default_factory=lambda: TransportSettings())
    render: RenderSettings = Field(default_factory=lambda: RenderSettings())
    host: HostSettings = Field(default_factory=lambda: HostSettings())

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise Problem(
                "se esperaba un nombre corto en minúsculas (a-z, 0-9, - y _; empieza con letra"
                " o dígito; máximo 63), que nombra la carpeta del informe;"
                f" se encontró {shown(value)}"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def folder_url(self, folder: str) -> str:
        """URL of the election folder (``base_url`` + folder + ``/``)."""
        return urljoin(self.base_url, folder + "/")

    def main_json_url(self, folder: str) -> str:
        """``main_json`` resolved against the election folder (absolute URLs kept)."""
        return urljoin(self.folder_url(folder), self.main_json)

    def entry_page_url(self, folder: str) -> str:
        """The page citizens are sent to: ``entry_url``, else the election folder's index."""
        return self.entry_url or self.folder_url(folder)

    @property
    def label(self) -> str:
        return self.display_name or self.name


class Config(Strict):
    """The whole file: ``[election]``, one ``[[difusor]]`` table per difusor and the optional
    ``[campaign]``."""

    election: Election
    difusor: list[Difusor] = Field(min_length=1)
    campaign: CampaignSettings | None = None
    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        seen: set[str] = set()
        for index, difusor in enumerate(self.difusor):
            if difusor.name in seen:
                raise Problem(
                    f"el nombre {shown(difusor.name)} ya lo usa otro difusor; cada difusor"
                    " necesita un nombre propio",
                    key=("difusor", index, "name"),
                )
            seen.add(difusor.name)
        return self

    @model_validator(mode="after")
    def _scheduled_difusores_exist(self) -> Config:
        """A schedule naming a difusor that is not configured would fail only when it fires."""
        names = [difusor.name for difusor in self.difusor]
        for i, entry in enumerate(self.campaign.schedule if self.campaign else []):
            for j, name in enumerate(entry.difusores):
                if name not in names:
                    raise Problem(
                        f"no hay un difusor llamado {shown(name)}{_closest(name, names)} "
                        f"(definidos: {', '.join(names)})",
                        key=("campaign", "schedule", i, "difusores", j),
                    )
        return self

    @property
    def source(self) -> Path | None:
        """The file this configuration was read from (None when built in code)."""
        return self._source

    def find(self, name: str) -> Difusor:
        """The difusor called ``name``; ``ConfigError`` naming the closest one otherwise."""
        for difusor in self.difusor:
            if difusor.name == name:
                return difusor
        names = [d.name for d in self.difusor]
        hint = _closest(name, names)
        where = f" en {self._source}" if self._source else ""
        raise ConfigError(
            f"--difusor {name}: no hay un difusor con ese nombre{where}{hint}"
            f" (definidos: {', '.join(names)})"
        )


def _closest(name: str, names: list[str]) -> str:
    """«; ¿quiso decir «unam»?» for the configured name closest to ``name``; "" when none is."""
    close = difflib.get_close_matches(name, names, n=1)
    return f"; ¿quiso decir «{close[0]}»?" if close else ""
