"""``[campaign]``: where history lives and for how long, the schedule, the live board, alerts.

Contract: every model is strict (unknown keys rejected, frozen). Relative paths resolve against
the configuration file's folder (the ``base`` in the validation context). Secrets never live in
the file: the webhook token and the SMTP password are named by environment variable and read
only when an alert is sent. Schedule times are local election time.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from prepcheck.config.base import ClockTime, Strict, described
from prepcheck.config.paths import AnyPath, CaFile
from prepcheck.config.urls import http_url

_NAME = described(
    r"^[a-z0-9][a-z0-9_-]{0,40}$",
    'un nombre de minúsculas, dígitos, "-" o "_" que empiece con letra o dígito (máximo 41)',
)
_ENV = described(
    r"^[A-Za-z_][A-Za-z0-9_]*$",
    'el nombre de una variable de entorno (letras, dígitos y "_"; no empieza con dígito)',
)
_DURATION = described(
    r"^\d+(\.\d+)?\s*(s|m|min|h|d)?$", 'una duración como "14h", "90min", "30s" o "1d"'
)
_DIFUSOR = described(
    r"^[a-z0-9][a-z0-9_-]{0,62}$", "el nombre de un difusor definido en [[difusor]]"
)
HISTORY_NAME = "historial.sqlite"


def _resolved(value: Path | None, info: ValidationInfo) -> Path | None:
    """``value`` made absolute against the configuration file's folder (when known)."""
    if value is None:
        return None
    value = value.expanduser()
    base = (info.context or {}).get("base")
    if value.is_absolute() or base is None:
        return value
    return (Path(base) / value).resolve()


class ScheduleEntry(Strict):
    """One scheduled command: at fixed local times or every N minutes, on a range of days or
    on listed days (rehearsal days)."""

    name: Annotated[str, Field(pattern=_NAME)]
    command: Literal["run", "monitor"] = "run"
    first_day: date | None = None
    last_day: date | None = None
    days: list[date] = Field(default_factory=list)
    at: list[ClockTime] = Field(default_factory=list)
    every_minutes: Annotated[int, Field(gt=0, le=1440)] | None = None
    start_time: ClockTime = time(0, 0)
    end_time: ClockTime = time(23, 59)
    duration: Annotated[str, Field(pattern=_DURATION)] | None = None
    difusores: list[Annotated[str, Field(pattern=_DIFUSOR)]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> ScheduleEntry:
        if bool(self.at) == (self.every_minutes is not None):
            raise ValueError("indique exactamente uno de 'at' (horas fijas) o 'every_minutes'")
        if self.days and (self.first_day or self.last_day):
            raise ValueError("indique 'days' o el rango 'first_day'..'last_day', no ambos")
        if not self.days and (self.first_day is None or self.last_day is None):
            raise ValueError("indique 'days' o ambos 'first_day' y 'last_day'")
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValueError("'last_day' es anterior a 'first_day'")
        if self.every_minutes is not None and 1440 % self.every_minutes:
            raise ValueError("'every_minutes' debe dividir el día (15, 30, 60, 120…)")
        if self.end_time < self.start_time:
            raise ValueError("'end_time' es anterior a 'start_time'")
        if (self.command == "monitor") != (self.duration is not None):
            raise ValueError("'duration' (p. ej. \"14h\") se indica solo y siempre con monitor")
        return self


class WebhookSettings(Strict):
    """A JSON POST per alert; the optional bearer token comes from an environment variable."""

    url: str
    token_env: Annotated[str, Field(pattern=_ENV)] | None = None
    ca_file: CaFile | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_url(value)


class EmailSettings(Strict):
    """SMTP with STARTTLS (always; the server certificate is verified against ``ca_file`` or
    the system store); the password comes from an environment variable."""

    host: str
    port: Annotated[int, Field(gt=0, lt=65536)] = 587
    sender: str
    recipients: list[str] = Field(min_length=1)
    username: str | None = None
    password_env: Annotated[str, Field(pattern=_ENV)] | None = None
    ca_file: CaFile | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 20.0

    @model_validator(mode="after")
    def _login(self) -> EmailSettings:
        if (self.username is None) != (self.password_env is None):
            raise ValueError("'username' y 'password_env' van juntos")
        return self


class AlertSettings(Strict):
    """When alerts fire and how they are delivered (one or both channels)."""

    webhook: WebhookSettings | None = None
    email: EmailSettings | None = None
    confirm_rounds: Annotated[int, Field(ge=1, le=20)] = 1
    certificate_check_minutes: Annotated[float, Field(gt=0, le=1440)] = 60.0
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 10
    backoff_seconds: Annotated[float, Field(gt=0, le=3600)] = 2.0
    max_backoff_seconds: Annotated[float, Field(gt=0, le=86400)] = 300.0
    flush_seconds: Annotated[float, Field(ge=0, le=120)] = 5.0


class LiveSettings(Strict):
    """The live board page written each monitor round."""

    refresh_seconds: Annotated[int, Field(ge=1, le=3600)] | None = None


class CampaignSettings(Strict):
    """The ``[campaign]`` table (every key optional)."""

    history_db: AnyPath | None = None
    retention_days: Annotated[int, Field(ge=1, le=36500)] = 400
    out: AnyPath | None = None
    environment_file: AnyPath | None = None
    schedule: list[ScheduleEntry] = Field(default_factory=list)
    live: LiveSettings = Field(default_factory=lambda: LiveSettings())
    alerts: AlertSettings = Field(default_factory=lambda: AlertSettings())

    @field_validator("history_db", "out", "environment_file")
    @classmethod
    def _paths(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return _resolved(value, info)

    @model_validator(mode="after")
    def _unique(self) -> CampaignSettings:
        names = [entry.name for entry in self.schedule]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"nombres de programación repetidos: {', '.join(repeated)}")
        return self

    def history_path(self, out_dir: Path) -> Path:
        """The campaign database: ``history_db``, else ``OUT/historial.sqlite``."""
        return self.history_db or out_dir / HISTORY_NAME


DEFAULT = CampaignSettings()


def campaign_of(settings: CampaignSettings | None) -> CampaignSettings:
    """``settings``, or the defaults when the configuration has no ``[campaign]``."""
    return settings or DEFAULT
