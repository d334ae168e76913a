"""The base of every settings model and the URL rule they share.

Contract: :class:`Strict` models reject unknown keys and are immutable; :func:`http_url`
returns the value when it is an http(s) URL with a host and raises ValueError otherwise.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Strict base: unknown keys are rejected and instances are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def http_url(value: str, *, key: str) -> str:
    """``value`` when it is an http(s) URL with a host; ValueError otherwise."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL with a host, got {value!r}")
    return value
