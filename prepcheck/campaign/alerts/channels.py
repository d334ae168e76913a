"""What every alert channel is: a name and a bounded ``send`` that raises ``SendError``."""

from __future__ import annotations

import os
from typing import Any, Protocol


class SendError(Exception):
    """An alert was not delivered this time (Spanish reason; the courier retries)."""


class Channel(Protocol):
    name: str

    def send(self, payload: dict[str, Any]) -> None:
        """Deliver ``payload`` once, within the channel's time bound, or raise ``SendError``."""


def secret(variable: str) -> str:
    """The value of environment variable ``variable``; ``SendError`` when it is not set."""
    value = os.environ.get(variable)
    if not value:
        raise SendError(f"la variable de entorno {variable} no está definida")
    return value
