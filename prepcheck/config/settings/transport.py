"""``[difusor.transport]``: bounds of the TLS scan, the Mozilla guideline, cache probing.

Contract: timeouts are bounded; the guideline is one of the versions the evaluators know.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from prepcheck.config.base import Strict


class TransportSettings(Strict):
    """TLS and HTTP-header checks: scan bounds, the Mozilla guideline, cache probing."""

    tls_scan_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 60.0
    tls_network_timeout_seconds: Annotated[int, Field(gt=0, le=60)] = 5
    mozilla_guideline: Literal["6.0", "5.7"] = "6.0"
    cache_probe_seconds: Annotated[float, Field(ge=0, le=60)] = 1.0
    declared_server_software: str | None = Field(
        default=None, description="web server the difusor names when its Server header hides it"
    )
