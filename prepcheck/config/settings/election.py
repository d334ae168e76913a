"""``[election.package]`` and ``[election.monitor]``: the official package and the monitor.

Contract: a package source gives exactly one of ``path``/``url`` (an http(s) URL) and an
optional hex digest; monitor settings are bounded (availability in (0, 100]).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from prepcheck.config.base import Strict, http_url

DigestAlgorithm = Literal["sha256", "sha512", "md5"]


class PackageSource(Strict):
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
            http_url(self.url, key="url")
        if self.digest is not None:
            int(self.digest, 16)  # hex only; ValueError names the value
        return self


class MonitorSettings(Strict):
    """``prepcheck monitor``: the availability target and how often to probe by default."""

    availability_percent: Annotated[float, Field(gt=0, le=100)] = 99.9
    every_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    min_periods: Annotated[int, Field(ge=1, le=1000)] = 2
