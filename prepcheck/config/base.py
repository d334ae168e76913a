"""The base of every configuration model and the problem its validators raise.

Contract: :class:`Strict` models reject unknown keys, are immutable and never coerce: no
string or boolean becomes a number or a flag (an integer is accepted where a float is
expected). Validators raise :class:`Problem`, a ``ValueError`` whose message is Spanish and
complete (what was expected, what was found); ``key`` optionally names the key below the
model the problem is about, so the loader can point at that key's line.
"""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

Loc = tuple[str | int, ...]


class Strict(BaseModel):
    """Strict base: unknown keys rejected, no coercion, frozen instances."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


#: Spanish descriptions of the text patterns fields require, shown instead of the regex.
PATTERN_TEXTS: dict[str, str] = {}


def described(pattern: str, text: str) -> str:
    """``pattern``, registered with the Spanish ``text`` a person reads when a value fails it
    (e.g. 'una duración como "14h"')."""
    PATTERN_TEXTS[pattern] = text
    return pattern


class Problem(ValueError):
    """A configuration value is wrong; ``str(problem)`` says so in Spanish."""

    def __init__(self, message: str, *, key: str | Loc = ()) -> None:
        super().__init__(message)
        self.key: Loc = tuple(key.split(".")) if isinstance(key, str) else key


def shown(value: object) -> str:
    """``value`` as it would be written in TOML, for messages (short, never a secret)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 80 else value[:77] + "…"
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        inner = ", ".join(shown(item) for item in value[:4])
        return f"[{inner}{', …' if len(value) > 4 else ''}]"
    if isinstance(value, dict):
        return "una tabla"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _clock(value: object) -> object:
    """``"HH:MM"`` (or ``"HH:MM:SS"``) text as a time; a TOML time passes unchanged."""
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise Problem(
                f'se esperaba una hora "HH:MM" (p. ej. "09:00"); se encontró {shown(value)}'
            ) from None
    return value


#: A local time of day, written ``"09:00"`` (quoted) or as a TOML time (``09:00:00``).
ClockTime = Annotated[time, BeforeValidator(_clock)]
