"""``[election.package]`` and ``[election.monitor]``: the official package and the monitor.

Contract: a package source gives exactly one of ``path`` (a readable file) or ``url`` (an
http(s) URL), and at most one of ``digest`` (hex of the algorithm's length) or
``digest_file`` (a readable file); monitor settings are bounded (availability in (0, 100]).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from prepcheck.config.base import Problem, Strict, shown
from prepcheck.config.paths import File
from prepcheck.config.urls import HttpUrl

DigestAlgorithm = Literal["sha256", "sha512", "md5"]
HEX_LENGTH: dict[str, int] = {"sha256": 64, "sha512": 128, "md5": 32}


class PackageSource(Strict):
    """Where the official package is and how to verify it (exactly one of path/url)."""

    algorithm: DigestAlgorithm = "sha256"
    path: File | None = None
    url: HttpUrl | None = None
    digest: str | None = Field(default=None, description="hex digest of the archive")
    digest_file: File | None = Field(default=None, description="sha256sum-format sidecar")

    @field_validator("url")
    @classmethod
    def _not_both_sources(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("path") is not None:
            raise Problem("indique solo una de `path` o `url`, no ambas")
        return value

    @field_validator("digest")
    @classmethod
    def _hex_of_algorithm(cls, value: str, info: ValidationInfo) -> str:
        algorithm = info.data.get("algorithm")
        length = HEX_LENGTH.get(algorithm or "")
        if not re.fullmatch(r"[0-9A-Fa-f]+", value) or (length and len(value) != length):
            expected = f"{length} dígitos hexadecimales" if length else "dígitos hexadecimales"
            raise Problem(
                f"se esperaba la huella {algorithm or ''} como {expected} (0-9, a-f);"
                f" se encontró {shown(value)} ({len(value)} caracteres)".replace("  ", " ")
            )
        return value

    @field_validator("digest_file")
    @classmethod
    def _not_both_digests(cls, value: object, info: ValidationInfo) -> object:
        if info.data.get("digest") is not None:
            raise Problem("indique solo una de `digest` o `digest_file`, no ambas")
        return value

    @model_validator(mode="after")
    def _some_source(self) -> PackageSource:
        if self.path is None and self.url is None:
            raise Problem("falta el paquete: indique `path` (archivo local) o `url`")
        return self


class MonitorSettings(Strict):
    """``prepcheck monitor``: the availability target and how often to probe by default."""

    availability_percent: Annotated[float, Field(gt=0, le=100)] = 99.9
    every_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    min_periods: Annotated[int, Field(ge=1, le=1000)] = 2
