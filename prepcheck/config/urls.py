"""URL values of the configuration: http(s), a host, a valid port, nothing to escape.

Contract: :data:`HttpUrl` accepts an ``http://`` or ``https://`` URL with a host, an optional
port in 1..65535, no whitespace or control characters and no user or password (secrets never
live in the file); :data:`UrlReference` also accepts a reference relative to a base URL.
Anything else raises :class:`~prepcheck.config.base.Problem` in Spanish.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator

from prepcheck.config.base import Problem, shown


def http_url(value: str) -> str:
    """``value`` when it is an absolute http(s) URL (see the module contract)."""
    _no_blanks(value)
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        scheme = f"«{parts.scheme}://»" if parts.scheme else "ninguno"
        raise Problem(
            f"se esperaba una URL que empiece con https:// o http://; se encontró {shown(value)}"
            f" (esquema {scheme})"
        )
    if parts.username is not None or parts.password is not None:
        raise Problem("la URL no debe llevar usuario ni contraseña (los secretos nunca van aquí)")
    if not parts.hostname:
        raise Problem(f"a la URL le falta el nombre del servidor: {shown(value)}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise Problem(f"puerto no válido en {shown(value)}: debe estar entre 1 y 65535")
    return value


def url_reference(value: str) -> str:
    """``value`` when it is an http(s) URL or a reference relative to a base URL."""
    _no_blanks(value)
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return http_url(value)
    return value


def _no_blanks(value: str) -> None:
    if not value:
        raise Problem("se esperaba una URL; se encontró un texto vacío")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        raise Problem(
            f"la URL contiene espacios o caracteres de control: {shown(value)}"
            " (escriba un espacio como %20)"
        )


HttpUrl = Annotated[str, AfterValidator(http_url)]
UrlReference = Annotated[str, AfterValidator(url_reference)]
