"""Masking secrets in any text the harness writes: messages, evidence, logs, alerts.

Contract: ``Redactor(secrets, usernames)`` masks every secret as a whole value, in each form
it can take in a message: raw, URL-encoded (``quote`` and ``quote_plus``), base64 (alone and as
``user:secret``, the HTTP Basic form), and whatever follows ``Authorization:`` or ``Bearer``.
"Whole value" means a short secret (under ``SHORT``) is masked only where it stands alone, not
inside a word: with the password ``x``, «rechazó la conexión» stays readable while «clave x
rechazada» becomes «clave *** rechazada». Longer secrets are masked wherever they appear. The
words around a secret are kept. Empty secrets are ignored.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
#: Secrets shorter than this are masked only as whole words (they could be part of any word).
SHORT = 6
_AUTHORIZATION = re.compile(
    r"(?i)\b(authorization\s*[:=]\s*(?:basic|bearer|digest|token)?\s*|bearer\s+)([^\s,;\"']+)"
)


class Redactor:
    """Masks ``secrets`` (see the module contract)."""

    def __init__(self, secrets: Iterable[str], usernames: Iterable[str] = ()) -> None:
        values = {s for s in secrets if s}
        forms: set[str] = set()
        for value in values:
            forms |= {value, quote(value, safe=""), quote_plus(value), _b64(value)}
            forms |= {_b64(f"{user}:{value}") for user in usernames if user}
        ordered = sorted(forms, key=len, reverse=True)
        self._patterns = [_pattern(form) for form in ordered]

    def __call__(self, text: str) -> str:
        text = _AUTHORIZATION.sub(lambda m: m.group(1) + MASK, text)
        for pattern in self._patterns:
            text = pattern.sub(MASK, text)
        return text


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _pattern(form: str) -> re.Pattern[str]:
    escaped = re.escape(form)
    if len(form) < SHORT:
        return re.compile(rf"(?<![\w]){escaped}(?![\w])")
    return re.compile(escaped)


def from_environment(names: Iterable[str | None], usernames: Iterable[str] = ()) -> Redactor:
    """A redactor of the values the environment variables ``names`` hold (unset ones skipped)."""
    return Redactor((os.environ.get(name, "") for name in names if name), usernames)
